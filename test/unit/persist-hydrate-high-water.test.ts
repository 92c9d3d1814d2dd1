// A read of the whole cache must not overflow the queue it goes into: a replay's pages are sized to fit it, a cache is
// not. A warm start lost all but the last high-water mark's worth of a bigger cache, and so did a follower tab reading
// the leader's cache as its snapshot (found by review).
import "fake-indexeddb/auto";
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";
import { createFakeTime, FakeLockManager, turns } from "./persist-fakes";

const time = createFakeTime();
const started: SyncPipeline[] = [];
const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
const armies = (count: number, at = 100) => Array.from({ length: count }, (_, i) => rawEntity(i + 1, at, { "test-Army": army(i + 1) }));

function run(client: MemoryToriiClient, factory: IDBFactory, name: string, tabs?: { locks: FakeLockManager; tabId: string }) {
  const { world, components } = createTestWorld();
  // A public option, the same for every boot: 100 entities pending at most (pages of 50 fit it).
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], queue: { highWaterMark: 100 }, persist: { name, indexedDB: factory, ...(tabs === undefined ? {} : { tabs }) }, timers: time.tab(), logging: false, inspector: false, logger: () => undefined });
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

describe("reading the cache into a queue smaller than it", () => {
  it("should show the whole cached world on a warm start, without an overflow, when the cache holds more entities than the queue's high-water mark", async () => {
    const factory = new IDBFactory();
    const client = new MemoryToriiClient();
    client.rows = armies(300);
    const cold = run(client, factory, "hwm");
    await until(() => cold.pipeline.getState().status === "streaming");
    // The cold boot paged 300 entities through a queue of 100 without an overflow.
    expect(cold.pipeline.metrics().droppedByReason.overflow ?? 0).toBe(0);
    expect(cold.components.Army.values.x.size).toBe(300);
    await until(() => (cold.pipeline.metrics().cache?.watermark ?? 0) >= 100);
    cold.pipeline.cancel();

    const server = new MemoryToriiClient();
    server.rows = armies(300);
    // The server is slow: everything RECS shows until the pages come is the cache's.
    server.beforePage = () => new Promise<void>(() => undefined);
    const warm = run(server, factory, "hwm");
    await until(() => warm.pipeline.getState().fromCache && (warm.pipeline.metrics().cache?.entitiesHydrated ?? 0) === 300);
    await until(() => warm.pipeline.metrics().queueDepth === 0);
    expect(warm.pipeline.metrics().droppedByReason.overflow ?? 0).toBe(0);
    expect(warm.components.Army.values.x.size).toBe(300);
    expect(getComponentValue(warm.components.Army, paddedId(300) as Entity)?.x).toBe(300);
  });

  it("should bring a follower tab the leader's whole cache, without an overflow", async () => {
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const client = new MemoryToriiClient();
    client.rows = armies(300);
    const leader = run(client, factory, "hwm-tabs", { locks, tabId: "a" });
    await until(() => leader.pipeline.getState().status === "streaming" && leader.pipeline.metrics().cache?.tabRole === "leader");
    const follower = run(client, factory, "hwm-tabs", { locks, tabId: "b" });
    await until(() => follower.pipeline.getState().status === "streaming" && follower.pipeline.metrics().cache?.tabRole === "follower");
    await until(() => follower.pipeline.metrics().queueDepth === 0);
    expect(follower.pipeline.metrics().droppedByReason.overflow ?? 0).toBe(0);
    expect(follower.components.Army.values.x.size).toBe(300);
    expect(client.subscriberCount).toBe(1);
  });
});
