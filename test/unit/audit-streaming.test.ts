import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const GUARD = { heartbeatTimeoutMs: 3_000, heartbeatCheckIntervalMs: 500 };

/**
 * The server's side of the synced scope (one model, `test-Army`): its rows as pages list them and as Torii's `/sql`
 * answers the watermark (newest block time, row count) and the window of recent writes. A write or removal is streamed
 * to the client unless it is `lost`.
 */
class ServerScope {
  readonly rows = new Map<number, { at: number; x: number }>();
  /** Runs as each watermark query arrives, before it is answered: lets a test change the server at that very moment. */
  onWatermark: (() => void) | undefined;
  watermarks = 0;

  constructor(private readonly client: MemoryToriiClient) {}

  write(id: number, at: number, x: number, options: { lost?: boolean } = {}): void {
    this.rows.set(id, { at, x });
    this.sync();
    if (options.lost !== true) this.client.emit(rawEntity(id, at, { "test-Army": army(x) }));
  }

  remove(id: number, at: number, options: { lost?: boolean; deliverAfterMs?: number } = {}): void {
    this.rows.delete(id);
    this.sync();
    if (options.lost === true) return;
    const deliver = () => this.client.emit(rawEntity(id, at, { "test-Army": {} }));
    if (options.deliverAfterMs === undefined) deliver();
    else setTimeout(deliver, options.deliverAfterMs);
  }

  newest(): number {
    return Math.max(0, ...[...this.rows.values()].map((row) => row.at));
  }

  readonly fetch = (async (_url: string, init?: { body?: unknown }) => {
    const body = String(init?.body);
    if (body.includes("MAX(newest)")) {
      this.watermarks += 1;
      this.onWatermark?.();
      return new Response(JSON.stringify([{ newest: datetime(this.newest()), n: this.rows.size }]));
    }
    const [, from = "0", to = "0"] = /> (\d+) AND .*? <= (\d+)/.exec(body) ?? [];
    const rows = [...this.rows]
      .filter(([, row]) => row.at > Number(from) && row.at <= Number(to))
      .map(([id, row]) => ({ id: `0x${id.toString(16)}`, model: "test-Army", at: datetime(row.at) }));
    return new Response(JSON.stringify(rows));
  }) as unknown as typeof globalThis.fetch;

  private sync(): void {
    this.client.rows = [...this.rows].map(([id, row]) => rawEntity(id, row.at, { "test-Army": army(row.x) }));
  }
}

/** Torii's text for a block time: RFC 3339. */
function datetime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "+00:00");
}

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let server: ServerScope;
let components: TestComponents;

async function streaming(): Promise<SyncPipeline> {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({
    ...{ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5 },
    ...{ toriiUrl: "http://127.0.0.1:1", fetch: server.fetch, guard: GUARD },
  });
  void pipeline.start();
  await vi.advanceTimersByTimeAsync(100);
  expect(pipeline.getState().status).toBe("streaming");
  return pipeline;
}

/** Entity 1 changes every second and the stream brings it: the stream flows, so silence never comes. */
async function flow(seconds: number, firstAt: number): Promise<void> {
  for (let second = 0; second < seconds; second += 1) {
    server.write(1, firstAt + second, 1_000 + second);
    await vi.advanceTimersByTimeAsync(1_000);
  }
}

const armyX = (id: number): number | undefined => getComponentValue(components.Army, paddedId(id) as Entity)?.x;

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

describe("the audit while the stream flows (toriiUrl)", () => {
  it("should catch a removal the stream lost, from the scope count, and replay it out", async () => {
    for (const id of [1, 2, 3]) server.write(id, 100, id);
    const p = await streaming();
    await flow(2, 101);
    // Entity 3's Army is removed on the server and the stream loses it: no row is left for the window to read.
    server.remove(3, 103, { lost: true });
    await flow(15, 103);
    expect(p.metrics().evidence.server_ahead).toBe(1);
    expect(p.metrics().replays).toBe(2);
    expect(armyX(3)).toBeUndefined();
    expect(armyX(2)).toBe(2);
  });

  it("should catch a write the stream lost in the very second the replay started at", async () => {
    server.write(2, 90, 2);
    server.write(1, 100, 1);
    const p = await streaming();
    // The replay started when the server's newest write was at 100; entity 2 changes in that same second after its page
    // was read, and the stream loses it. The windows that follow must still include second 100.
    server.write(2, 100, 99, { lost: true });
    await flow(15, 101);
    expect(p.metrics().evidence.server_ahead).toBe(1);
    expect(armyX(2)).toBe(99);
  });

  it("should never replay while creations and removals all reach the client", async () => {
    for (const id of [1, 2, 3]) server.write(id, 100, id);
    const p = await streaming();
    for (let second = 0; second < 40; second += 1) {
      const at = 101 + second;
      server.write(1, at, second);
      server.write(10 + second, at, second);
      if (second >= 3) server.remove(10 + second - 3, at);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().probesByOutcome.healthy).toBeGreaterThanOrEqual(10);
  });

  it("should not replay for a creation or removal the stream is still carrying when the count is read", async () => {
    for (const id of [1, 2, 3, 21]) server.write(id, 100, id);
    const p = await streaming();
    let reads = 0;
    server.onWatermark = () => {
      // As the server's count is read, one component goes (read 2) or comes (read 4) in the newest second; the stream
      // brings it a second later.
      reads += 1;
      if (reads === 2) server.remove(21, server.newest(), { deliverAfterMs: 1_000 });
      if (reads === 4) {
        server.write(22, server.newest(), 22, { lost: true });
        setTimeout(() => client.emit(rawEntity(22, server.rows.get(22)?.at ?? 0, { "test-Army": army(22) })), 1_000);
      }
    };
    await flow(20, 101);
    expect(reads).toBeGreaterThanOrEqual(6);
    expect(armyX(21)).toBeUndefined();
    expect(armyX(22)).toBe(22);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().evidence.server_ahead).toBeUndefined();
  });

  it("should not replay for writes a lagging stream is still carrying, however far behind it falls", async () => {
    for (const id of [1, 2, 3]) server.write(id, 100, id);
    const p = await streaming();
    // Every second entity 1 changes; the stream falls behind, half a second more with each write (a loaded client):
    // never silent, but after 20 s it is 10 s late, more than three audit periods.
    for (let second = 0; second < 40; second += 1) {
      const at = 101 + second;
      server.write(1, at, second, { lost: true });
      setTimeout(() => client.emit(rawEntity(1, at, { "test-Army": army(second) })), second * 500);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    await vi.advanceTimersByTimeAsync(25_000);
    expect(armyX(1)).toBe(39);
    expect(p.metrics().probesByOutcome.healthy).toBeGreaterThanOrEqual(10);
    expect(p.metrics().evidence.server_ahead).toBeUndefined();
    expect(p.metrics().replays).toBe(1);
  });

  it("should read one watermark per period and replay nothing in a quiet world", async () => {
    for (const id of [1, 2, 3]) server.write(id, 100, id);
    const p = await streaming();
    const before = server.watermarks;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(p.metrics().replays).toBe(1);
    // Silence probes (every 3 s of silence) and audits (every 3 s) share the period: about one read per 3 s.
    expect(server.watermarks - before).toBeLessThanOrEqual(21);
    expect(p.metrics().evidence.server_ahead).toBeUndefined();
  });
});
