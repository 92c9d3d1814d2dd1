// A Web Locks request the browser refuses (SecurityError in an opaque-origin iframe, or where the site may not use
// storage): the tab syncs for itself, as where there are no Web Locks. It stayed "pending" before, never started.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { electLeader } from "../../src/persist/election";
import type { LockManagerLike } from "../../src/persist/election";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";
import { createFakeTime, FakeLockManager, turns } from "./persist-fakes";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
const time = createFakeTime();
const started: SyncPipeline[] = [];
const denied: LockManagerLike = { request: () => Promise.reject(new DOMException("Access to the Locks API is denied in this context.", "SecurityError")) } as unknown as LockManagerLike;

afterEach(() => {
  for (const pipeline of started.splice(0)) pipeline.cancel();
});

describe("a Web Locks request the browser refuses", () => {
  it("should still give the election a role (lead alone) rather than stay pending", async () => {
    const events: string[] = [];
    const election = electLeader("denied", { locks: denied, timers: time.tab(), onLead: () => events.push("lead"), onFollow: () => events.push("follow"), onDemoted: () => events.push("demoted") });
    await turns(20);
    time.advance(10_000);
    await turns(20);
    election.close();
    expect(events).toEqual(["lead"]);
  });

  it("should end the election and call onRefused when the tab says where to go, for a first request and for a steal", async () => {
    const events: string[] = [];
    const refused = electLeader("denied", { locks: denied, timers: time.tab(), onLead: () => events.push("lead"), onFollow: () => events.push("follow"), onDemoted: () => events.push("demoted"), onRefused: () => events.push("refused") });
    await turns(20);
    expect([events, refused.role]).toEqual([["refused"], "closed"]);

    // A follower whose leader went quiet steals, and the browser refuses the steal: leading then without the lock
    // makes two leaders once the old one thaws.
    const locks = new FakeLockManager();
    const leader = electLeader("steal", { locks, timers: time.tab(), onLead: () => undefined, onFollow: () => undefined, onDemoted: () => undefined });
    await turns(20);
    // A channel on which the frozen leader never beats.
    const channel = { tabId: "b", heartbeat: () => undefined, onHeartbeat: () => () => undefined };
    const stealing: LockManagerLike = { request: (name: string, options: { steal?: boolean }, callback: never) => (options.steal === true ? Promise.reject(new DOMException("denied", "SecurityError")) : locks.request(name, options, callback)) } as unknown as LockManagerLike;
    const seen: string[] = [];
    const follower = electLeader("steal", { locks: stealing, channel, timers: time.tab(), onLead: () => seen.push("lead"), onFollow: () => seen.push("follow"), onDemoted: () => seen.push("demoted"), onRefused: () => seen.push("refused") });
    await turns(20);
    time.advance(5_000);
    await turns(20);
    leader.close();
    follower.close();
    expect(seen).toEqual(["follow", "refused"]);
  });

  it("should make the tab leave the sharing (role alone, its cache intact) and sync for itself", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const { world, components } = createTestWorld();
    const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "denied-alone", indexedDB: new IDBFactory(), tabs: { locks: denied, tabId: "a" } }, timers: time.tab(), logging: false, inspector: false });
    started.push(pipeline);
    void pipeline.start();
    for (let i = 0; i < 300 && pipeline.getState().status !== "streaming"; i += 1) {
      time.advance(10);
      await turns(2);
    }
    // Its cache works: only the refusal made it leave.
    expect([pipeline.getState().status, pipeline.metrics().cache?.tabRole, JSON.stringify(pipeline.metrics().cache?.errorsByCode)]).toEqual(["streaming", "alone", "{}"]);
  });

  it("should still start the pipeline and sync", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const { world, components } = createTestWorld();
    const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "denied", indexedDB: null, tabs: { locks: denied, tabId: "a" } }, timers: time.tab(), logging: false, inspector: false });
    started.push(pipeline);
    void pipeline.start();
    for (let i = 0; i < 300 && pipeline.getState().status !== "streaming"; i += 1) {
      time.advance(10);
      await turns(2);
    }
    expect(pipeline.getState().status).toBe("streaming");
  });
});
