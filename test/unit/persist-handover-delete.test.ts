// A delete the old leader relayed but had not written to the cache when it closed: the new leader's ledger holds the
// tombstone, so its replay's reconciliation (which removes only what is live) recorded nothing, and the cache kept the
// entity under a watermark past the delete; a tab opened later showed it. The replay after a takeover now records the
// deletes the snapshot confirms, tombstones included.
import "fake-indexeddb/auto";
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { bindComponents } from "../../src/core/writer/bindings";
import { cacheIdentity, openSyncCache } from "../../src/persist/index";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";
import { createFakeTime, FakeLockManager, turns } from "./persist-fakes";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
const xOf = (components: TestComponents, n: number): number | undefined => getComponentValue(components.Army, paddedId(n) as Entity)?.x;
const time = createFakeTime();
const started: SyncPipeline[] = [];

function tab(client: MemoryToriiClient, factory: IDBFactory, locks: FakeLockManager, tabId: string) {
  const { world, components } = createTestWorld();
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "del", indexedDB: factory, tabs: { locks, tabId } }, timers: time.tab(), logging: false, inspector: false });
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

describe("leader handover and the cache: a relayed delete", () => {
  it("should not keep in the cache an entity the old leader relayed as deleted but never wrote, under a watermark past the delete", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = tab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    const follower = tab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming");
    await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
    const flushes = leader.pipeline.metrics().cache?.flushes ?? 0;
    client.rows = [client.rows[0], rawEntity(2, 150, { "test-Army": army(22) }), client.rows[2]];
    client.emit(rawEntity(2, 150, { "test-Army": army(22) }));
    await until(() => (leader.pipeline.metrics().cache?.flushes ?? 0) > flushes && xOf(follower.components, 2) === 22);

    // Torii indexes the deletion of entity 3 at 200; the leader admits and relays it, its writer has not flushed yet.
    client.rows = [client.rows[0], client.rows[1]];
    client.emit({ ...rawEntity(3, 200, {}), models: {} });
    for (let i = 0; i < 200 && xOf(follower.components, 3) !== undefined; i += 1) {
      time.advance(0);
      await turns(1);
    }
    expect(xOf(follower.components, 3)).toBeUndefined();
    leader.pipeline.cancel();

    await until(() => follower.pipeline.metrics().cache?.tabRole === "leader" && follower.pipeline.getState().status === "streaming");
    await until(() => (follower.pipeline.metrics().cache?.watermark ?? 0) >= 150);
    for (let k = 0; k < 50; k += 1) {
      time.advance(100);
      await turns(5);
    }
    follower.pipeline.cancel();
    await turns(20);

    const { components } = createTestWorld();
    const cache = await openSyncCache({ name: "del", identity: cacheIdentity({ bindings: bindComponents(components), worldAddresses: ["0x1"], scope: { clause: null, models: [] } }), indexedDB: factory, timers: time.tab() });
    if (cache === undefined) throw new Error("no cache");
    const watermark = await cache.readWatermark();
    const xs = new Map<string, unknown>();
    await cache.hydrate((_scope, messages) => {
      for (const message of messages) {
        const x = (message.models["test-Army"] as Record<string, { value: unknown }> | undefined)?.x;
        if (x !== undefined) xs.set(message.hashed_keys, x.value);
      }
    });
    cache.close();
    // What the watermark says the cache holds: everything up to it, the delete at 200 included.
    expect({ watermark: watermark?.executedAt, entity3: xs.get(paddedId(3)) }).toEqual({ watermark: expect.any(Number), entity3: undefined });
    expect(watermark?.executedAt).toBeGreaterThanOrEqual(200);
  });

  it("should not show a tab opened after the handover an entity the old leader relayed as deleted", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = tab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    const follower = tab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming");
    await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
    const flushes = leader.pipeline.metrics().cache?.flushes ?? 0;
    client.rows = [client.rows[0], rawEntity(2, 150, { "test-Army": army(22) }), client.rows[2]];
    client.emit(rawEntity(2, 150, { "test-Army": army(22) }));
    await until(() => (leader.pipeline.metrics().cache?.flushes ?? 0) > flushes && xOf(follower.components, 2) === 22);

    client.rows = [client.rows[0], client.rows[1]];
    client.emit({ ...rawEntity(3, 200, {}), models: {} });
    for (let i = 0; i < 200 && xOf(follower.components, 3) !== undefined; i += 1) {
      time.advance(0);
      await turns(1);
    }
    expect(xOf(follower.components, 3)).toBeUndefined();
    leader.pipeline.cancel();

    await until(() => follower.pipeline.metrics().cache?.tabRole === "leader" && follower.pipeline.getState().status === "streaming");
    await until(() => (follower.pipeline.metrics().cache?.watermark ?? 0) >= 200);
    const late = tab(client, factory, locks, "c");
    await until(() => late.pipeline.getState().status === "streaming" && late.pipeline.metrics().cache?.tabRole === "follower");
    for (let k = 0; k < 50; k += 1) {
      time.advance(100);
      await turns(5);
    }
    expect(late.pipeline.metrics().cache?.tabRole).toBe("follower");
    expect(xOf(follower.components, 3)).toBeUndefined();
    expect(xOf(late.components, 3)).toBeUndefined();
  });
});
