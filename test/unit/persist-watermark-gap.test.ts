// The cache's watermark after a replay is the server's newest block time read before the pages (everything up to it is
// in the pages), not the newest the client has seen: the stream can lose updates (a gap, the all-zero entity) or reorder
// them across entities, and the next boot's incremental replay reads only what changed since the watermark. Marked at
// the newest seen, an update the stream lost during the replay was never read again. A replay whose one read of that
// watermark failed (the source has SQL; the replay goes on without it) marks none.
import "fake-indexeddb/auto";
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty, type RawEntity } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";
import { createFakeTime, turns } from "./persist-fakes";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
const xOf = (components: TestComponents, n: number): number | undefined => getComponentValue(components.Army, paddedId(n) as Entity)?.x;
const zero = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" };

const time = createFakeTime();
const started: SyncPipeline[] = [];

/** A memory Torii with an SQL endpoint over its rows (same shape as test/unit/persist-incremental.test.ts). */
function server(client: MemoryToriiClient, failFirstWatermark: boolean): typeof globalThis.fetch {
  let watermarks = 0;
  const live = () => client.rows as RawEntity[];
  return (async (_url: string, init: { body: string }) => {
    const sql = init.body;
    if (sql.includes("AS newest")) {
      watermarks += 1;
      if (failFirstWatermark && watermarks === 1) return new Response("busy", { status: 503 });
      const newest = Math.max(0, ...live().map((row) => row.executed_at));
      return new Response(JSON.stringify([{ newest, n: live().length }]));
    }
    // The window compares block times as whole seconds (Torii's RFC 3339 text through strftime('%s')).
    const [from, to] = (/> (\d+) AND .*? <= (\d+)/.exec(sql) ?? []).slice(1).map(Number);
    const found = live().filter((row) => row.executed_at > (from as number) && row.executed_at <= (to as number));
    return new Response(JSON.stringify(found.map((row) => ({ id: paddedId(Number(row.hashed_keys)), model: "test-Army", at: row.executed_at }))));
  }) as unknown as typeof globalThis.fetch;
}

function run(client: MemoryToriiClient, factory: IDBFactory, failFirstWatermark = false): { pipeline: SyncPipeline; components: TestComponents } {
  const { world: recs, components } = createTestWorld();
  const pipeline = createSyncPipeline({
    client,
    world: recs,
    components,
    worldAddresses: ["0x1"],
    toriiUrl: "http://127.0.0.1:1",
    fetch: server(client, failFirstWatermark),
    persist: { name: "gap-watermark", indexedDB: factory },
    timers: time.tab(),
    guard: { replayPageLimit: 1 },
    logging: false,
    inspector: false,
  });
  started.push(pipeline);
  void pipeline.start();
  return { pipeline, components };
}

async function until(condition: () => boolean, rounds = 3_000): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (condition()) return;
    time.advance(10);
    await turns(2);
  }
  throw new Error("the condition was not met");
}

afterEach(() => {
  for (const pipeline of started.splice(0)) pipeline.cancel();
});

/**
 * Session 1 pages B (entity 1), then its stream breaks: B changes at 150 and the update is lost; the client reconnects
 * by itself and says so (the all-zero entity); A (entity 2) changes at 200 and the stream delivers it. The replay the gap
 * asked for cannot read (Torii is flaky); the user reloads. Session 2 boots on the same cache, Torii healthy again, and
 * must show B at 150. `failFirstWatermark`: session 1's one read of the server's watermark fails.
 */
async function lostDuringBoot(failFirstWatermark: boolean): Promise<{ watermark: number | undefined; two: ReturnType<typeof run> }> {
  const factory = new IDBFactory();
  const first = new MemoryToriiClient();
  first.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
  first.beforePage = (index) => {
    if (index === 1) {
      first.rows[0] = rawEntity(1, 150, { "test-Army": army(150) });
      first.emit(zero);
      first.rows[1] = rawEntity(2, 200, { "test-Army": army(200) });
      first.emit(first.rows[1]);
    }
    if (index >= 2) throw "status: Unavailable";
  };
  const one = run(first, factory, failFirstWatermark);
  await until(() => one.pipeline.metrics().replays === 1);
  expect(one.pipeline.metrics().gaps).toBe(1);
  // What session 1 shows: B is stale (the gap's replay has not got through).
  expect(xOf(one.components, 1)).toBe(1);
  // Its rows are written (and a watermark, when there is one to write).
  await until(() => (one.pipeline.metrics().cache?.flushes ?? 0) > 0 && (failFirstWatermark || one.pipeline.metrics().cache?.watermark !== undefined));
  for (let i = 0; i < 100; i += 1) {
    time.advance(10);
    await turns(2);
  }
  const watermark = one.pipeline.metrics().cache?.watermark;
  one.pipeline.cancel();

  const second = new MemoryToriiClient();
  second.rows = [rawEntity(1, 150, { "test-Army": army(150) }), rawEntity(2, 200, { "test-Army": army(200) })];
  const two = run(second, factory);
  await until(() => two.pipeline.getState().status === "streaming");
  expect(xOf(two.components, 2)).toBe(200);
  return { watermark, two };
}

describe("the cache watermark after a replay during which the stream reported a gap", () => {
  it("should read again, on the next boot, an update the stream lost during the replay that marked the watermark", async () => {
    const { watermark, two } = await lostDuringBoot(false);
    // The server's watermark read before the pages (100), not the newest seen (200).
    expect(watermark).toBe(100);
    expect(xOf(two.components, 1), `incremental replays ${two.pipeline.metrics().cache?.incrementalReplays}`).toBe(150);
  });

  it("should mark no watermark when the replay's read of the server's watermark failed", async () => {
    const { watermark, two } = await lostDuringBoot(true);
    expect(watermark).toBeUndefined();
    expect(xOf(two.components, 1)).toBe(150);
  });
});
