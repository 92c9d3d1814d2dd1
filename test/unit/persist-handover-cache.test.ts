// A change the old leader relayed but had not yet written to the cache when it closed: the new leader's ledger already
// holds it, so its replay found the row unchanged and recorded nothing, yet its watermark claimed the cache held
// everything up to it, and the next warm start (incremental from that watermark) showed the old value. The first replay
// after taking the lead now records unchanged rows too, and the watermark heard as a follower is not written.
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
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "tabs", indexedDB: factory, tabs: { locks, tabId } }, timers: time.tab(), logging: false, inspector: false });
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
 * Leader a and follower b share a cache; a writes a first change, then admits and relays another (entity 3 at block 200)
 * and closes before its writer's next flush; b takes the lead and reaches streaming.
 */
async function handOverBeforeFlush() {
  const client = new MemoryToriiClient();
  client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
  const factory = new IDBFactory();
  const locks = new FakeLockManager();
  const leader = tab(client, factory, locks, "a");
  await until(() => leader.pipeline.getState().status === "streaming");
  const follower = tab(client, factory, locks, "b");
  await until(() => follower.pipeline.getState().status === "streaming");
  // A first change, written by the leader: its writer's next flush is then at least 250 ms of fake time away.
  await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
  const flushes = leader.pipeline.metrics().cache?.flushes ?? 0;
  client.rows = [client.rows[0], rawEntity(2, 150, { "test-Army": army(22) }), client.rows[2]];
  client.emit(rawEntity(2, 150, { "test-Army": army(22) }));
  await until(() => (leader.pipeline.metrics().cache?.flushes ?? 0) > flushes && xOf(follower.components, 2) === 22);

  // Torii indexes a change; the leader admits it and relays it. No fake time passes: its writer's flush timer has not fired.
  client.rows = [client.rows[0], client.rows[1], rawEntity(3, 200, { "test-Army": army(333) })];
  client.emit(rawEntity(3, 200, { "test-Army": army(333) }));
  for (let i = 0; i < 200 && xOf(follower.components, 3) !== 333; i += 1) {
    time.advance(0);
    await turns(1);
  }
  expect(xOf(follower.components, 3)).toBe(333);
  // The leader's tab closes now (its writer drops what it had not committed, as a closing page does).
  leader.pipeline.cancel();

  await until(() => follower.pipeline.metrics().cache?.tabRole === "leader" && follower.pipeline.getState().status === "streaming");
  return { client, factory, locks, follower };
}

describe("leader handover and the cache", () => {
  it("should keep in the cache every change up to its watermark when the leader closes before flushing what it relayed", async () => {
    const { factory, follower } = await handOverBeforeFlush();
    // The new leader's replay is done and its cache writer has flushed a watermark covering block time 200.
    await until(() => (follower.pipeline.metrics().cache?.watermark ?? 0) >= 200);
    follower.pipeline.cancel();
    await turns(20);

    const { components } = createTestWorld();
    const cache = await openSyncCache({ name: "tabs", identity: cacheIdentity({ bindings: bindComponents(components), worldAddresses: ["0x1"], scope: { clause: null, models: [] } }), indexedDB: factory, timers: time.tab() });
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
    // The cache claims everything up to 200 is in; entity 3's change at 200 must be there.
    expect(xs.get(paddedId(3))).toBe(333);
  });
  it("should show a tab opened after the handover the change the old leader relayed before it closed", async () => {
    const { client, factory, locks, follower } = await handOverBeforeFlush();
    await until(() => (follower.pipeline.metrics().cache?.watermark ?? 0) >= 200);
    // A new tab of the game opens: it follows the new leader (warm start, hello, cache read, relay).
    const late = tab(client, factory, locks, "c");
    await until(() => late.pipeline.getState().status === "streaming" && late.pipeline.metrics().cache?.tabRole === "follower");
    // 5 s of fake time, in steps (heartbeats delivered between).
    for (let k = 0; k < 50; k += 1) {
      time.advance(100);
      await turns(5);
    }
    expect(late.pipeline.metrics().cache?.tabRole).toBe("follower");
    expect(xOf(follower.components, 3)).toBe(333);
    expect(xOf(late.components, 3)).toBe(333);
  });
});
