import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { normalizeEntityId } from "../../src/core/entity-id";
import { RejectedWrites } from "../../src/core/rejected-writes";
import type { ToriiValue } from "../../src/core/types";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: ToriiValue) => ({ army_id: ty.u32(1), owner: ty.address(1n), x, y: ty.u32(0), troops: ty.u128(10n) });
const GUARD = { heartbeatTimeoutMs: 3_000, heartbeatCheckIntervalMs: 500 };

/** Torii's text for a block time: RFC 3339. */
function datetime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "+00:00");
}

/** The server's synced scope (test-Army), as pages, the stream and `/sql` see it (like audit-streaming.test.ts). */
class ServerScope {
  readonly rows = new Map<number, { at: number; x: ToriiValue | Record<string, unknown> }>();
  constructor(private readonly client: MemoryToriiClient) {}
  write(id: number, at: number, x: ToriiValue | Record<string, unknown>): void {
    this.rows.set(id, { at, x });
    this.client.rows = [...this.rows].map(([key, row]) => rawEntity(key, row.at, { "test-Army": army(row.x as ToriiValue) }));
    this.client.emit(rawEntity(id, at, { "test-Army": army(x as ToriiValue) }));
  }
  newest(): number {
    return Math.max(0, ...[...this.rows.values()].map((row) => row.at));
  }
  readonly fetch = (async (_url: string, init?: { body?: unknown }) => {
    const body = String(init?.body);
    if (body.includes("MAX(newest)")) return new Response(JSON.stringify([{ newest: datetime(this.newest()), n: this.rows.size }]));
    const [, from = "0", to = "0"] = /> (\d+) AND .*? <= (\d+)/.exec(body) ?? [];
    const rows = [...this.rows]
      .filter(([, row]) => row.at > Number(from) && row.at <= Number(to))
      .map(([id, row]) => ({ id: `0x${id.toString(16)}`, model: "test-Army", at: datetime(row.at) }));
    return new Response(JSON.stringify(rows));
  }) as unknown as typeof globalThis.fetch;
}

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let server: ServerScope;
let components: TestComponents;

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  server = new ServerScope(client);
});
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("the stream audit and a write the client received but could not apply", () => {
  it.each([
    ["a value its schema cannot hold (kept out at conversion)", ty.raw("u32", "five"), "SYNC_BAD_VALUE"],
    ["a member the decoder cannot read (kept out at intake)", { nonsense: true }, "SYNC_BAD_PAYLOAD"],
  ] as const)("should not take a write received with %s for a lost one and replay the whole scope for it", async (_what, bad, code) => {
    server.write(1, 100, ty.u32(1));
    server.write(2, 100, ty.u32(2));
    const setup = createTestWorld();
    components = setup.components;
    pipeline = createSyncPipeline({
      ...{ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5 },
      ...{ toriiUrl: "http://127.0.0.1:1", fetch: server.fetch, guard: GUARD },
    });
    void pipeline.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(pipeline.getState().status).toBe("streaming");
    // The stream flows and delivers everything; entity 2 sometimes carries a bad value.
    for (let second = 0; second < 20; second += 1) {
      server.write(1, 101 + second, ty.u32(1_000 + second));
      // Every 6 s, entity 2's x arrives as a value the u32 field cannot hold (then it stays quiet).
      if (second % 6 === 2) server.write(2, 101 + second, bad);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    // Nothing was lost: every write reached the client (the bad one is rejected and counted, as it should be).
    expect(pipeline.metrics().rejectedByCode[code] ?? 0).toBeGreaterThan(0);
    expect(getComponentValue(components.Army, paddedId(1) as Entity)?.x).toBe(1_019);
    // The audit took each rejected write for one "the stream never brought", and replayed the whole scope for it.
    expect(pipeline.metrics().evidence.server_ahead ?? 0).toBe(0);
    expect(pipeline.metrics().replays).toBe(1);
  });
});

describe("RejectedWrites", () => {
  const id = (n: number) => normalizeEntityId(`0x${n.toString(16)}`);
  it("should keep the newest block time per entity × model, and a whole-message rejection for every model", () => {
    const rejected = new RejectedWrites();
    expect(rejected.newestOf(id(1), "ns-A")).toBe(-1);
    rejected.note(id(1), "ns-A", 10);
    rejected.note(id(1), "ns-A", 7);
    expect(rejected.newestOf(id(1), "ns-A")).toBe(10);
    expect(rejected.newestOf(id(1), "ns-B")).toBe(-1);
    rejected.note(id(1), undefined, 12);
    expect(rejected.newestOf(id(1), "ns-B")).toBe(12);
    rejected.note(id(2), "ns-A", Number.NaN);
    expect(rejected.newestOf(id(2), "ns-A")).toBe(-1);
  });

  it("should stay bounded, forgetting the longest-untouched first", () => {
    const rejected = new RejectedWrites();
    for (let n = 0; n < 5_000; n += 1) rejected.note(id(n), "ns-A", 100);
    // The first ones were forgotten (4,096 kept); the newest are still known.
    expect(rejected.newestOf(id(0), "ns-A")).toBe(-1);
    expect(rejected.newestOf(id(4_999), "ns-A")).toBe(100);
    expect(rejected.newestOf(id(5_000 - 4_096), "ns-A")).toBe(100);
    expect(rejected.newestOf(id(5_000 - 4_097), "ns-A")).toBe(-1);
  });
});
