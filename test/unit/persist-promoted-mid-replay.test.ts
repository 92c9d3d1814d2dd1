// A follower taken over while its own replay runs (it read the leader's cache and relay): that replay's completion marks
// nothing and does not end the takeover's recording of unchanged rows; the leader's replay requested at the takeover
// does. Before, the follower's completion cleared it and marked what the follower had heard, and the relayed change the
// old leader had not written stayed out of a cache that claimed it.
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
let onHello: (() => void) | undefined;

/** The follower's BroadcastChannel: runs `onHello` (once) as its hello is posted. */
class HelloSpy extends BroadcastChannel {
  override postMessage(message: unknown): void {
    super.postMessage(message);
    if ((message as { t?: string }).t === "hello" && onHello !== undefined) {
      const hook = onHello;
      onHello = undefined;
      hook();
    }
  }
}

function tab(client: MemoryToriiClient, factory: IDBFactory, locks: FakeLockManager, tabId: string, spy = false) {
  const { world, components } = createTestWorld();
  const tabs = spy ? { locks, tabId, BroadcastChannel: HelloSpy } : { locks, tabId };
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "mid", indexedDB: factory, tabs }, timers: time.tab(), logging: false, inspector: false });
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
  onHello = undefined;
  for (const pipeline of started.splice(0)) pipeline.cancel();
});

describe("a follower promoted while one of its replays is in flight", () => {
  it("should still write to the cache the change the old leader relayed but never wrote, before its watermark claims it", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = tab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    const follower = tab(client, factory, locks, "b", true);
    await until(() => follower.pipeline.getState().status === "streaming");
    await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
    const flushes = leader.pipeline.metrics().cache?.flushes ?? 0;
    client.rows = [client.rows[0], rawEntity(2, 150, { "test-Army": army(22) }), client.rows[2]];
    client.emit(rawEntity(2, 150, { "test-Army": army(22) }));
    await until(() => (leader.pipeline.metrics().cache?.flushes ?? 0) > flushes && xOf(follower.components, 2) === 22);

    // The leader admits and relays a change; its writer's flush timer has not fired yet (no fake time passes).
    client.rows = [client.rows[0], client.rows[1], rawEntity(3, 200, { "test-Army": army(333) })];
    client.emit(rawEntity(3, 200, { "test-Army": army(333) }));
    for (let i = 0; i < 200 && xOf(follower.components, 3) !== 333; i += 1) {
      time.advance(0);
      await turns(1);
    }
    expect(xOf(follower.components, 3)).toBe(333);

    // The follower replays (the app forced it, or it came back from hidden): it says hello, and the leader's tab closes
    // before it handles that hello (its writer drops what it had not committed, as a closing page does).
    onHello = () => leader.pipeline.cancel();
    void follower.pipeline.forceReplay();

    await until(() => follower.pipeline.metrics().cache?.tabRole === "leader" && follower.pipeline.getState().status === "streaming");
    await until(() => (follower.pipeline.metrics().cache?.watermark ?? 0) >= 200);
    // Let the forced leader replay finish and its writer flush.
    for (let k = 0; k < 50; k += 1) {
      time.advance(100);
      await turns(5);
    }
    follower.pipeline.cancel();
    await turns(20);

    const { components } = createTestWorld();
    const cache = await openSyncCache({ name: "mid", identity: cacheIdentity({ bindings: bindComponents(components), worldAddresses: ["0x1"], scope: { clause: null, models: [] } }), indexedDB: factory, timers: time.tab() });
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
    expect(watermark?.executedAt).toBeGreaterThanOrEqual(200);
    expect(xs.get(paddedId(3))).toBe(333);
  });
});
