// One tab syncs for all: two pipelines of one origin (same persist name), a Web Locks fake, Node's BroadcastChannel,
// a real IndexedDB implementation and one in-memory Torii. The leader alone subscribes; the follower converges
// through its own admission; when the leader closes, the follower takes over and loses nothing.
import "fake-indexeddb/auto";
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { IDBFactory } from "fake-indexeddb";
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

interface Tab {
  readonly pipeline: SyncPipeline;
  readonly components: TestComponents;
}

function tab(client: MemoryToriiClient, factory: IDBFactory, locks: FakeLockManager, tabId: string, timers = time.tab()): Tab {
  const { world, components } = createTestWorld();
  const pipeline = createSyncPipeline({
    client,
    world,
    components,
    worldAddresses: ["0x1"],
    persist: { name: "tabs", indexedDB: factory, tabs: { locks, tabId } },
    timers,
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

describe("persist: one tab syncs for all", () => {
  it("should hold one Torii subscription for two tabs, and bring both to the server's state", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 10 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = tab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    const follower = tab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming");

    expect(client.subscriberCount).toBe(1);
    expect(leader.pipeline.metrics().cache?.tabRole).toBe("leader");
    expect(follower.pipeline.metrics().cache?.tabRole).toBe("follower");
    expect(follower.components.Army.values.x.size).toBe(10);
    client.emit(rawEntity(3, 200, { "test-Army": army(333) }));
    client.emit(rawEntity(11, 200, { "test-Army": army(11) }));
    await until(() => xOf(follower.components, 3) === 333 && xOf(follower.components, 11) === 11);
    expect(xOf(leader.components, 3)).toBe(333);
    // The follower's changes went through its own admission: an older relay never lands.
    expect(follower.pipeline.metrics().applied).toBeGreaterThan(10);
    // It records nothing for a cache it does not write (its admission builds no change for it); the leader does.
    expect(follower.pipeline.metrics().cache?.changesRecorded).toBe(0);
    expect(leader.pipeline.metrics().cache?.changesRecorded).toBeGreaterThan(0);
    expect(client.subscriberCount).toBe(1);
  });

  it("should hand over to the follower when the leader closes, with nothing lost", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 5 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = tab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    const follower = tab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming");
    const replaysBefore = follower.pipeline.metrics().replays;

    leader.pipeline.cancel();
    // Written while no tab listens to Torii: the new leader's replay must find it.
    client.rows = [...client.rows.slice(0, 4), rawEntity(5, 300, { "test-Army": army(55) }), rawEntity(6, 300, { "test-Army": army(6) })];
    await until(() => locks.held("torii-sync-guard:lead:tabs") && client.subscriberCount === 1 && follower.pipeline.metrics().replays > replaysBefore);
    await until(() => follower.pipeline.getState().status === "streaming");
    expect(xOf(follower.components, 5)).toBe(55);
    expect(xOf(follower.components, 6)).toBe(6);
    expect(follower.pipeline.metrics().cache).toMatchObject({ tabRole: "leader" });
    expect(follower.pipeline.metrics().cache?.leaderChanges).toBeGreaterThanOrEqual(1);
    client.emit(rawEntity(1, 400, { "test-Army": army(1111) }));
    await until(() => xOf(follower.components, 1) === 1111);
    expect(client.subscriberCount).toBe(1);
  });

  it("should take over from a frozen leader within a second, and the leader should follow once it wakes", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const frozen = time.tab();
    const leader = tab(client, factory, locks, "a", frozen);
    await until(() => leader.pipeline.getState().status === "streaming");
    const follower = tab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming");
    frozen.freeze();
    const frozenAt = time.now();
    await until(() => follower.pipeline.metrics().cache?.tabRole === "leader");
    expect(time.now() - frozenAt).toBeLessThanOrEqual(1_000);
    // (The fake's steal rejects the frozen tab's lock at once; a real frozen tab would hear it when it wakes.)
    await until(() => follower.pipeline.getState().status === "streaming" && follower.pipeline.inspect().openStreams === 1);

    frozen.thaw();
    await until(() => leader.pipeline.metrics().cache?.tabRole === "follower" && client.subscriberCount === 1);
    await until(() => leader.pipeline.getState().status === "streaming");
    client.emit(rawEntity(1, 200, { "test-Army": army(42) }));
    await until(() => xOf(leader.components, 1) === 42 && xOf(follower.components, 1) === 42);
    expect(client.subscriberCount).toBe(1);
  });

  it("should read an entity whose models were written at different times whole: the follower removes none of them", async () => {
    const structure = { owner: ty.address(0xb0bn), category: ty.enum("Category", "Realm"), level: ty.u8(3), guard: ty.struct("Guard", { count: ty.u128(5n), tier: ty.enum("Tier", "T1") }) };
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = tab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    const flushes = leader.pipeline.metrics().cache?.flushes ?? 0;
    client.emit(rawEntity(1, 120, { "test-Structure": structure }));
    // Written to the cache: the follower's warm start then holds both models before its snapshot reads them again.
    await until(() => (leader.pipeline.metrics().cache?.flushes ?? 0) > flushes);
    const follower = tab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming" && follower.pipeline.metrics().replays > 0);
    expect(follower.pipeline.metrics().cache?.entitiesHydrated).toBe(1);
    expect(xOf(follower.components, 1)).toBe(1);
    expect(getComponentValue(follower.components.Structure, paddedId(1) as Entity)?.level).toBe(3);
    expect(follower.pipeline.metrics().reconciled).toBe(0);
  });

  it("should leave no timer, lock or stream behind when both tabs close", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const a = tab(client, factory, locks, "a");
    const b = tab(client, factory, locks, "b");
    await until(() => a.pipeline.getState().status === "streaming" && b.pipeline.getState().status === "streaming");
    a.pipeline.cancel();
    b.pipeline.cancel();
    await turns(20);
    expect(time.pending()).toBe(0);
    expect(client.subscriberCount).toBe(0);
    expect(locks.held("torii-sync-guard:lead:tabs")).toBe(false);
    expect(locks.waiting("torii-sync-guard:lead:tabs")).toBe(0);
  });

  it("should not let a pipeline that was made but never started hold the lead", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const { world, components } = createTestWorld();
    const idle = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "tabs", indexedDB: factory, tabs: { locks, tabId: "idle" } }, timers: time.tab(), logging: false, inspector: false });
    started.push(idle);
    const active = tab(client, factory, locks, "b");
    await until(() => active.pipeline.getState().status === "streaming");
    expect(active.pipeline.metrics().cache?.tabRole).toBe("leader");
    expect(client.subscriberCount).toBe(1);
  });

  it("should sync each tab for itself without Web Locks", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const factory = new IDBFactory();
    const make = (tabId: string): Tab => {
      const { world, components } = createTestWorld();
      const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "solo", indexedDB: factory, tabs: { locks: null, tabId } }, timers: time.tab(), logging: false, inspector: false });
      started.push(pipeline);
      void pipeline.start();
      return { pipeline, components };
    };
    const [a, b] = [make("a"), make("b")];
    await until(() => a.pipeline.getState().status === "streaming" && b.pipeline.getState().status === "streaming");
    expect(client.subscriberCount).toBe(2);
    expect(a.pipeline.metrics().cache?.tabRole).toBe("alone");
  });
});
