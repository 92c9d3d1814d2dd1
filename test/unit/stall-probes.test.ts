import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { scopedWatermarkQuery } from "../../src/torii/sql-scope";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const structure = (level: number) => ({
  owner: ty.address(0xb0bn),
  category: ty.enum("Category", "Realm"),
  level: ty.u8(level),
  guard: ty.struct("Guard", { count: ty.u128(5n), tier: ty.enum("Tier", "T1") }),
});

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

async function streaming(extra: Partial<SyncPipelineOptions> = {}): Promise<SyncPipeline> {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5, ...extra });
  void pipeline.start();
  await vi.advanceTimersByTimeAsync(100);
  expect(pipeline.getState().status).toBe("streaming");
  return pipeline;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("the probe without toriiUrl: pages that rotate through the synced scope", () => {
  it("should catch a silent stall in which an entity far from the first page changed, within timeout + 2 rotations", async () => {
    client.rows = Array.from({ length: 1_200 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const p = await streaming();
    const stalledAt = Date.now();
    let detectedAt: number | undefined;
    p.subscribe((state) => {
      if (state.status === "lagging" && detectedAt === undefined) detectedAt = Date.now();
    });
    // The stream is silent; on the server entity 1,100 (third page of 500) moves.
    client.rows[1_099] = rawEntity(1_100, 150, { "test-Army": army(9_999) });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(detectedAt).toBeDefined();
    // The README's bound: heartbeatTimeoutMs + 2 × ⌈1,200 / 500⌉ × heartbeatCheckIntervalMs = 30 s + 30 s.
    expect((detectedAt as number) - stalledAt).toBeLessThanOrEqual(30_000 + 2 * 3 * 5_000);
    expect(p.metrics().evidence.server_ahead).toBe(1);
    expect(getComponentValue(components.Army, paddedId(1_100) as Entity)?.x).toBe(9_999);
  });

  it("should catch entities removed on the server during a silent stall, at the end of a quiet rotation", async () => {
    client.rows = Array.from({ length: 30 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const p = await streaming({ guard: { probePageSize: 10 } });
    client.rows = client.rows.slice(0, 20);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(p.metrics().evidence.server_ahead).toBe(1);
    expect(getComponentValue(components.Army, paddedId(25) as Entity)).toBeUndefined();
    expect(getComponentValue(components.Army, paddedId(5) as Entity)).toBeDefined();
  });

  it("should never replay a quiet world of 1,200 entities while it rotates", async () => {
    client.rows = Array.from({ length: 1_200 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const p = await streaming();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().probes).toBeGreaterThan(15);
  });

  it("should give a slow probe probeTimeoutMs to answer before it counts as a stall; by default a check interval", async () => {
    const fast = { heartbeatTimeoutMs: 600, heartbeatCheckIntervalMs: 100, probePageSize: 10 };
    const timeoutsWith = async (guard: NonNullable<SyncPipelineOptions["guard"]>): Promise<number | undefined> => {
      client = new MemoryToriiClient();
      client.rows = Array.from({ length: 30 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
      const p = await streaming({ guard });
      // Every probe page now answers after 500 ms: a busy machine, a slow network.
      client.beforePage = () => new Promise((resolve) => setTimeout(resolve, 500));
      await vi.advanceTimersByTimeAsync(10_000);
      expect(p.metrics().probes).toBeGreaterThan(3);
      p.cancel();
      return p.metrics().evidence.probe_timeout;
    };
    expect(await timeoutsWith({ ...fast, probeTimeoutMs: 2_000 })).toBeUndefined();
    expect(await timeoutsWith(fast)).toBeGreaterThan(0);
  });

  it("should compare like with like: one model of a two-model entity changing does not look like lag", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1), "test-Structure": structure(1) })];
    const p = await streaming();
    // The Structure changes live; the entity's executed_at moves to 200 while Army's last write stays at 100.
    client.emit(rawEntity(1, 200, { "test-Structure": structure(2) }));
    client.rows = [rawEntity(1, 200, { "test-Army": army(1), "test-Structure": structure(2) })];
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().evidence.server_ahead).toBeUndefined();
  });

  it("should not count a change to a model the game does not bind as lag", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = await streaming();
    client.emit(rawEntity(1, 200, { "other-Quest": { id: ty.u32(1) } }));
    client.rows = [rawEntity(1, 200, { "test-Army": army(1), "other-Quest": { id: ty.u32(1) } })];
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(p.metrics().replays).toBe(1);
  });
});

describe("the SQL watermark with toriiUrl: scoped to what this client syncs", () => {
  it("should ask only for the bound models, narrowed by a Keys clause", () => {
    const query = scopedWatermarkQuery(["test-Army", "test-Structure"], { Keys: { keys: ["0x1", undefined], pattern_matching: "FixedLen", models: ["test-Army"] } });
    expect(query?.models).toEqual(["test-Army"]);
    expect(query?.sql).toContain('FROM "test-Army"');
    expect(query?.sql).not.toContain("test-Structure");
    // Torii's spelling: keys in minimal hex, a wildcard one key (sql-scope-dialect.test.ts runs these on SQLite).
    expect(query?.sql).toContain(`LIKE '0x1/%/'`);
    expect(scopedWatermarkQuery(["test-Army"], { Member: { model: "test-Army", member: "x", operator: "Eq", value: { Primitive: { U32: 1 } } } })).toBeUndefined();
    expect(scopedWatermarkQuery(["test-Army"], { HashedKeys: ["0x2"] })?.sql).toContain(`internal_entity_id IN ('0x2', '0x${"2".padStart(64, "0")}')`);
  });

  it("should finish boot when the server's newest row belongs to a model the game does not bind", async () => {
    const bodies: string[] = [];
    // The scoped query sees only bound models: their newest write is 100, whatever unbound tables hold.
    const fetch = (async (_url: string, init?: { body?: unknown }) => {
      bodies.push(String(init?.body));
      return new Response(JSON.stringify([{ newest: 100, n: 1 }]));
    }) as typeof globalThis.fetch;
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 900, { "other-Quest": { id: ty.u32(1) } })];
    const p = await streaming({ toriiUrl: "http://127.0.0.1:1", fetch });
    expect(p.getState().status).toBe("streaming");
    expect(bodies[0]).toContain('"test-Army"');
    expect(bodies[0]).not.toContain("entities)");
  });

  it("should catch a removal during a silent stall by the row count, which raises no timestamp", async () => {
    let n = 2;
    const fetch = (async () => new Response(JSON.stringify([{ newest: 100, n }]))) as unknown as typeof globalThis.fetch;
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    const p = await streaming({ toriiUrl: "http://127.0.0.1:1", fetch });
    await vi.advanceTimersByTimeAsync(10);
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    n = 1;
    await vi.advanceTimersByTimeAsync(40_000);
    expect(p.metrics().evidence.server_ahead).toBe(1);
    expect(getComponentValue(components.Army, paddedId(2) as Entity)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(p.metrics().replays).toBe(2);
  });
});

describe("deadlines: no network call wedges a replay", () => {
  it("should not wedge when /sql never answers: the watermark times out and the replay goes on", async () => {
    const fetch = ((_url: string, init?: { signal?: AbortSignal }) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))))) as unknown as typeof globalThis.fetch;
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const { world, components: c } = createTestWorld();
    pipeline = createSyncPipeline({ client, world, components: c, environment: noPageEnvironment, toriiUrl: "http://127.0.0.1:1", fetch, sqlTimeoutMs: 2_000 });
    void pipeline.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pipeline.getState().status).toBe("replaying");
    // A forceReplay() during the hung call is a replay that starts after it, not a join of the hung one.
    let forcedDone = false;
    let booted = false;
    void pipeline.ready.then(() => (booted = true));
    void pipeline.forceReplay().then(() => (forcedDone = true));
    await vi.advanceTimersByTimeAsync(1_100);
    expect(booted).toBe(true);
    expect(forcedDone).toBe(false);
    await vi.advanceTimersByTimeAsync(2_100);
    expect(forcedDone).toBe(true);
    expect(pipeline.getState().status).toBe("streaming");
    expect(client.pagesServed).toBe(2);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    pipeline.cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should fail a replay attempt whose page never answers, then retry, instead of wedging", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const real = client.getEntities.bind(client);
    let calls = 0;
    client.getEntities = (query) => {
      calls += 1;
      return calls === 1 ? new Promise(() => undefined) : real(query);
    };
    const { world, components: c } = createTestWorld();
    pipeline = createSyncPipeline({ client, world, components: c, environment: noPageEnvironment, random: () => 0.5, pageTimeoutMs: 3_000 });
    void pipeline.start();
    await vi.advanceTimersByTimeAsync(3_100);
    expect(pipeline.getState()).toMatchObject({ status: "lagging", replayAttempts: 1 });
    expect(pipeline.getState().lastError?.code).toBe("SYNC_PAGE_TIMEOUT");
    await vi.advanceTimersByTimeAsync(1_100);
    expect(pipeline.getState()).toMatchObject({ status: "streaming", replayAttempts: 0 });
  });
});

describe("the audit of recent writes with toriiUrl, while the stream flows", () => {
  /** A /sql that answers the watermark and the window queries from a list of server writes. */
  function sqlOf(writes: Array<{ id: number; at: number }>) {
    // Torii's text for a block time: RFC 3339.
    const datetime = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "+00:00");
    return (async (_url: string, init?: { body?: unknown }) => {
      const body = String(init?.body);
      if (body.includes("MAX(newest)")) return new Response(JSON.stringify([{ newest: datetime(Math.max(0, ...writes.map((w) => w.at))), n: writes.length }]));
      const [, from = "0", to = "0"] = /> (\d+) AND .*? <= (\d+)/.exec(body) ?? [];
      const rows = writes.filter((w) => w.at > Number(from) && w.at <= Number(to)).map((w) => ({ id: `0x${w.id.toString(16)}`, model: "test-Army", at: datetime(w.at) }));
      return new Response(JSON.stringify(rows));
    }) as unknown as typeof globalThis.fetch;
  }

  it("should catch a write the stream lost while it kept flowing, and replay it in", async () => {
    const writes = [{ id: 1, at: 100 }];
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = await streaming({ toriiUrl: "http://127.0.0.1:1", fetch: sqlOf(writes), guard: { heartbeatTimeoutMs: 3_000, heartbeatCheckIntervalMs: 500 } });
    // Entity 2 is written on the server at 110 and the stream loses it; entity 1 keeps streaming, so silence never comes.
    writes.push({ id: 2, at: 110 });
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 110, { "test-Army": army(2) })];
    for (let second = 0; second < 12; second += 1) {
      writes.push({ id: 1, at: 111 + second });
      client.emit(rawEntity(1, 111 + second, { "test-Army": army(10 + second) }));
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(p.metrics().evidence.server_ahead).toBeGreaterThanOrEqual(1);
    expect(getComponentValue(components.Army, paddedId(2) as Entity)?.x).toBe(2);
  });

  it("should never replay while every write reaches the client", async () => {
    const writes = [{ id: 1, at: 100 }];
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = await streaming({ toriiUrl: "http://127.0.0.1:1", fetch: sqlOf(writes), guard: { heartbeatTimeoutMs: 3_000, heartbeatCheckIntervalMs: 500 } });
    for (let second = 0; second < 30; second += 1) {
      writes.push({ id: 1, at: 101 + second });
      client.emit(rawEntity(1, 101 + second, { "test-Army": army(second) }));
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().probes).toBeGreaterThanOrEqual(8);
  });
});
