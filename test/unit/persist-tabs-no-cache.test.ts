// Tabs share through the cache: a follower's snapshot is the leader's cache, and the leader relays what it records
// there. With no usable cache (no IndexedDB, a blocked open, quota, a corrupt record) every tab syncs for itself. Before,
// the leader kept the lead while relaying nothing, and the followers stayed empty for good.
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";
import { createFakeTime, FakeLockManager, turns } from "./persist-fakes";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
const xOf = (components: TestComponents, n: number): number | undefined => getComponentValue(components.Army, paddedId(n) as Entity)?.x;
const time = createFakeTime();
const started: SyncPipeline[] = [];

function tab(client: MemoryToriiClient, locks: FakeLockManager, tabId: string) {
  const { world, components } = createTestWorld();
  // No IndexedDB in this browser (or it failed): "the sync runs without a cache"; Web Locks and BroadcastChannel exist.
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "nocache", indexedDB: null, tabs: { locks, tabId } }, timers: time.tab(), logging: false, inspector: false });
  started.push(pipeline);
  void pipeline.start();
  return { pipeline, components };
}

async function until(condition: () => boolean, rounds = 1_000): Promise<void> {
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

describe("tabs whose cache fails", () => {
  it("should each sync for itself, so every tab holds the world and hears Torii's updates", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const locks = new FakeLockManager();
    const leader = tab(client, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    const follower = tab(client, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming" && xOf(follower.components, 1) === 1);
    // Each tab left the sharing when its cache failed: two subscriptions to Torii, the lock given up.
    expect(client.subscriberCount).toBe(2);
    expect(locks.held("torii-sync-guard:lead:nocache")).toBe(false);
    expect([leader.pipeline.metrics().cache?.tabRole, follower.pipeline.metrics().cache?.tabRole]).toEqual(["alone", "alone"]);

    client.emit(rawEntity(1, 200, { "test-Army": army(42) }));
    client.emit(rawEntity(2, 200, { "test-Army": army(2) }));
    await until(() => xOf(leader.components, 1) === 42);
    await until(() => xOf(follower.components, 1) === 42 && xOf(follower.components, 2) === 2, 500).catch(() => undefined);
    expect({ x1: xOf(follower.components, 1), x2: xOf(follower.components, 2) }).toEqual({ x1: 42, x2: 2 });
  });
});
