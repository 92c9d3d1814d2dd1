// A tab that opens while the leader still writes a large cache: its hello is answered only once the leader's flush is
// done, seconds later. The leader says at once that it is flushing, and the follower waits while it beats. Before, the
// follower gave up after 2 s, read a half-written cache, and kept part of the world for good.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";
import { createFakeTime, FakeLockManager, turns } from "./persist-fakes";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
// Each read of the slice clock moves 5 ms: every write slice (budget 4 ms) writes one entity, then yields a turn.
const time = createFakeTime(1_700_000_000_000, 5);
const started: SyncPipeline[] = [];
const ENTITIES = 2_000;

function tab(client: MemoryToriiClient, factory: IDBFactory, locks: FakeLockManager, tabId: string) {
  const { world, components } = createTestWorld();
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "slow", indexedDB: factory, tabs: { locks, tabId } }, timers: time.tab(), logging: false, inspector: false });
  started.push(pipeline);
  void pipeline.start();
  return { pipeline, components };
}

async function until(condition: () => boolean, rounds = 20_000): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (condition()) return;
    time.advance(10);
    await turns(2);
  }
  throw new Error("the condition was not met");
}

const armies = (components: TestComponents): number => components.Army.values.x.size;

afterEach(() => {
  for (const pipeline of started.splice(0)) pipeline.cancel();
});

describe("a follower whose hello is answered late", () => {
  it("should end with the whole world once the leader's cache is written", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: ENTITIES }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = tab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    // A second tab opens while the leader is still writing its cold cache.
    const follower = tab(client, factory, locks, "b");
    await until(() => follower.pipeline.getState().status === "streaming");
    const atStreaming = armies(follower.components);
    // The leader's cache is written in full; then plenty of fake time, in steps.
    await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
    await until(() => false, 3_000).catch(() => undefined);
    expect(follower.pipeline.metrics().cache?.tabRole).toBe("follower");
    expect({ atStreaming, now: armies(follower.components) }).toEqual({ atStreaming: expect.any(Number), now: ENTITIES });
  });
});
