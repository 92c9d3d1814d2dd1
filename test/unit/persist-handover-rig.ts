import "fake-indexeddb/auto";
import { getComponentValue, type Entity } from "@dojoengine/recs";
import { IDBFactory } from "fake-indexeddb";
import { expect } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { bindComponents } from "../../src/core/writer/bindings";
import { cacheIdentity, openSyncCache } from "../../src/persist/index";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty, type RawEntity } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";
import { createFakeTime, FakeLockManager, turns } from "./persist-fakes";

/** Tabs of one origin sharing a cache, on fake time: what the takeover tests need. */
export const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
export const xOf = (components: TestComponents, n: number): number | undefined => getComponentValue(components.Army, paddedId(n) as Entity)?.x;
export const time = createFakeTime();
const started: SyncPipeline[] = [];
const NAME = "handover";

export function tab(client: MemoryToriiClient, factory: IDBFactory, locks: FakeLockManager, tabId: string, BroadcastChannel?: typeof globalThis.BroadcastChannel) {
  const { world, components } = createTestWorld();
  const tabs = BroadcastChannel === undefined ? { locks, tabId } : { locks, tabId, BroadcastChannel };
  const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: NAME, indexedDB: factory, tabs }, timers: time.tab(), logging: false, inspector: false });
  started.push(pipeline);
  void pipeline.start();
  return { pipeline, components };
}

/** Cancel every tab a test opened (call in afterEach). */
export function closeTabs(): void {
  for (const pipeline of started.splice(0)) pipeline.cancel();
}

export async function until(condition: () => boolean, rounds = 3_000): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (condition()) return;
    time.advance(10);
    await turns(2);
  }
  throw new Error("the condition was not met");
}

/** Let `ms` of fake time pass in steps, heartbeats and flushes delivered between. */
export async function pass(ms: number): Promise<void> {
  for (let k = 0; k < ms / 100; k += 1) {
    time.advance(100);
    await turns(5);
  }
}

/**
 * Leader a and follower b (b opened with `followerChannel`, if given) share a cache; a writes a first change, then
 * admits and relays `relayed` (about entity 3, at block 200) while its writer's next flush is still at least 250 ms of
 * fake time away.
 */
export async function relayUnwritten(relayed: RawEntity, followerChannel?: typeof globalThis.BroadcastChannel) {
  const client = new MemoryToriiClient();
  client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
  const factory = new IDBFactory();
  const locks = new FakeLockManager();
  const leader = tab(client, factory, locks, "a");
  await until(() => leader.pipeline.getState().status === "streaming");
  const follower = tab(client, factory, locks, "b", followerChannel);
  await until(() => follower.pipeline.getState().status === "streaming");
  await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
  const flushes = leader.pipeline.metrics().cache?.flushes ?? 0;
  client.rows = [client.rows[0], rawEntity(2, 150, { "test-Army": army(22) }), client.rows[2]];
  client.emit(rawEntity(2, 150, { "test-Army": army(22) }));
  await until(() => (leader.pipeline.metrics().cache?.flushes ?? 0) > flushes && xOf(follower.components, 2) === 22);
  // Torii indexes `relayed`; the leader admits and relays it. No fake time passes: its writer's flush timer has not fired.
  const expected = (relayed.models["test-Army"] as { x?: { value: number } } | undefined)?.x?.value;
  client.rows = [client.rows[0], client.rows[1], ...(expected === undefined ? [] : [relayed])];
  client.emit(relayed);
  for (let i = 0; i < 200 && xOf(follower.components, 3) !== expected; i += 1) {
    time.advance(0);
    await turns(1);
  }
  expect(xOf(follower.components, 3)).toBe(expected);
  return { client, factory, locks, leader, follower };
}

/** What the cache on `factory` holds: its watermark and each entity's Army `x`, read back as a new tab would. */
export async function readCache(factory: IDBFactory): Promise<{ watermark: number | undefined; xs: Map<string, unknown> }> {
  const { components } = createTestWorld();
  const cache = await openSyncCache({ name: NAME, identity: cacheIdentity({ bindings: bindComponents(components), worldAddresses: ["0x1"], scope: { clause: null, models: [] } }), indexedDB: factory, timers: time.tab() });
  if (cache === undefined) throw new Error("no cache");
  const watermark = (await cache.readWatermark())?.executedAt;
  const xs = new Map<string, unknown>();
  await cache.hydrate((_scope, messages) => {
    for (const message of messages) {
      const x = (message.models["test-Army"] as Record<string, { value: unknown }> | undefined)?.x;
      if (x !== undefined) xs.set(message.hashed_keys, x.value);
    }
  });
  cache.close();
  return { watermark, xs };
}
