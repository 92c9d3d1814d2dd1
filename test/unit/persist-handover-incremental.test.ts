// The takeover replay of a tab that booted as a follower was incremental (toriiUrl): the follower's boot replay never
// took the cache's hydrated watermark (a follower has no SQL, so replayIncrementally returns before since()), and the
// takeover's forceReplay took it. An incremental replay runs no reconciliation, so the deletes the old leader relayed
// but never wrote (recordTombstones) were never recorded: the cache kept the deleted entity under a newer watermark,
// and the next warm start (or a tab opened later, following the cache) showed it again. A takeover now pages in full.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, type RawEntity } from "../support/ty";
import { createTestWorld } from "../support/world";
import { FakeLockManager, turns } from "./persist-fakes";
import { army, pass, readCache, time, until, xOf } from "./persist-handover-rig";

const started: SyncPipeline[] = [];
afterEach(() => {
  for (const pipeline of started.splice(0)) pipeline.cancel();
});

function sqlFetch(client: MemoryToriiClient): typeof globalThis.fetch {
  const live = () => client.rows as RawEntity[];
  return (async (_url: string, init: { body: string }) => {
    const sql = init.body;
    if (sql.includes("AS newest")) {
      const newest = Math.max(0, ...live().map((row) => row.executed_at));
      return new Response(JSON.stringify([{ newest, n: live().length }]));
    }
    const [from, to] = (/> (\d+) AND .*? <= (\d+)/.exec(sql) ?? []).slice(1).map(Number);
    const found = live().filter((row) => row.executed_at > (from as number) && row.executed_at <= (to as number));
    return new Response(JSON.stringify(found.map((row) => ({ id: paddedId(Number(row.hashed_keys)), model: "test-Army", at: row.executed_at }))));
  }) as unknown as typeof globalThis.fetch;
}

function sqlTab(client: MemoryToriiClient, factory: IDBFactory, locks: FakeLockManager, tabId: string) {
  const { world, components } = createTestWorld();
  const pipeline = createSyncPipeline({
    client,
    world,
    components,
    worldAddresses: ["0x1"],
    toriiUrl: "http://127.0.0.1:1",
    fetch: sqlFetch(client),
    persist: { name: "handover", indexedDB: factory, tabs: { locks, tabId } },
    timers: time.tab(),
    logging: false,
    inspector: false,
  });
  started.push(pipeline);
  void pipeline.start();
  return { pipeline, components };
}

describe("takeover by a tab that booted as a follower, with toriiUrl", () => {
  it("should not keep in the cache an entity the old leader relayed as deleted but never wrote", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = sqlTab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
    // b boots as a follower on a warm cache (watermark 100).
    const follower = sqlTab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming" && follower.pipeline.metrics().cache?.tabRole === "follower");
    expect(follower.pipeline.metrics().cache?.hits).toBe(1);
    expect(xOf(follower.components, 3)).toBe(3);
    // Torii deletes entity 3; the leader admits and relays it, and closes before its writer's next flush.
    client.rows = client.rows.slice(0, 2);
    client.emit({ ...rawEntity(3, 200, {}), models: {} });
    for (let i = 0; i < 200 && xOf(follower.components, 3) !== undefined; i += 1) {
      time.advance(0);
      await turns(1);
    }
    expect(xOf(follower.components, 3)).toBeUndefined();
    leader.pipeline.cancel();
    await until(() => follower.pipeline.metrics().cache?.tabRole === "leader" && follower.pipeline.getState().status === "streaming");
    await pass(5_000);
    expect(follower.pipeline.metrics().cache?.incrementalReplays ?? 0).toBe(0);
    follower.pipeline.cancel();
    await turns(20);
    const { watermark, xs } = await readCache(factory);
    expect(watermark).toBeGreaterThanOrEqual(100);
    // The cache claims everything up to its watermark, yet still holds the deleted entity: the next load shows it.
    expect(xs.get(paddedId(3))).toBeUndefined();
    expect(xs.get(paddedId(1))).toBe(1);
  });
  it("should not show a tab opened after the takeover an entity the old leader relayed as deleted", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = sqlTab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
    // b boots as a follower on a warm cache (watermark 100).
    const follower = sqlTab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming" && follower.pipeline.metrics().cache?.tabRole === "follower");
    expect(follower.pipeline.metrics().cache?.hits).toBe(1);
    expect(xOf(follower.components, 3)).toBe(3);
    // Torii deletes entity 3; the leader admits and relays it, and closes before its writer's next flush.
    client.rows = client.rows.slice(0, 2);
    client.emit({ ...rawEntity(3, 200, {}), models: {} });
    for (let i = 0; i < 200 && xOf(follower.components, 3) !== undefined; i += 1) {
      time.advance(0);
      await turns(1);
    }
    expect(xOf(follower.components, 3)).toBeUndefined();
    leader.pipeline.cancel();
    await until(() => follower.pipeline.metrics().cache?.tabRole === "leader" && follower.pipeline.getState().status === "streaming");
    await pass(5_000);
    const late = sqlTab(client, factory, locks, "c");
    await until(() => late.pipeline.getState().status === "streaming" && late.pipeline.metrics().cache?.tabRole === "follower");
    await pass(5_000);
    expect(xOf(late.components, 1)).toBe(1);
    // Torii deleted entity 3 long ago; the new follower's snapshot (the cache) still has it.
    expect(xOf(late.components, 3)).toBeUndefined();
  });
});
