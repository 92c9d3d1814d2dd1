// A hello waits while the leader that took it (it said "flushing") keeps beating, and no longer than 2 min in all. A
// hello no leader took (it arrived while the tab that then led was a follower, or at a frozen leader) gives up after its
// timeout: it adopted as its leader the first tab it heard beat, and that tab's beats restarted its deadline for ever.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline } from "../../src/core/pipeline";
import { createSyncChannel, type SyncChannel } from "../../src/persist/channel";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";
import { createFakeTime, FakeLockManager, turns, type TabTimers } from "./persist-fakes";

const closing: SyncChannel[] = [];
const started: SyncPipeline[] = [];
afterEach(() => {
  for (const item of closing.splice(0)) item.close();
  for (const pipeline of started.splice(0)) pipeline.cancel();
});

describe("a hello that no leader took", () => {
  it("should give up after its timeout although a tab that became leader afterwards beats (channel)", async () => {
    const time = createFakeTime();
    const next = createSyncChannel("unanswered", { tabId: "next-leader", timers: time.tab() });
    const joining = createSyncChannel("unanswered", { tabId: "joining", timers: time.tab() });
    closing.push(next, joining);
    let settled = false;
    void joining.hello(2_000).then(() => (settled = true));
    // The hello reaches "next-leader" while it is still a follower: it answers no hello and drops it.
    await turns(5);
    // Then it takes the lead (the old leader's tab closed), answers hellos from now on, and beats every 250 ms.
    next.answerHellos(async () => undefined);
    for (let ms = 0; ms < 30_000; ms += 250) {
      time.advance(250);
      next.heartbeat(undefined, false);
      await turns(2);
    }
    expect(settled).toBe(true);
  });

  it("should let a tab that opens while the leader is frozen finish its boot once another follower steals the lead (tabs)", async () => {
    const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10) });
    const time = createFakeTime();
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    let muted = false;
    /** The old leader's channel: hears nothing while its tab is frozen. */
    class Freezable extends BroadcastChannel {
      override set onmessage(handler: ((event: MessageEvent) => void) | null) {
        super.onmessage = handler === null ? null : (event: MessageEvent) => (muted ? undefined : handler(event));
      }
      override get onmessage() {
        return super.onmessage;
      }
    }
    const tab = (tabId: string, timers: TabTimers, frozenChannel = false) => {
      const { world, components } = createTestWorld();
      const tabs = frozenChannel ? { locks, tabId, BroadcastChannel: Freezable } : { locks, tabId };
      const pipeline = createSyncPipeline({ client, world, components, worldAddresses: ["0x1"], persist: { name: "unanswered", indexedDB: factory, tabs }, timers, logging: false, inspector: false });
      started.push(pipeline);
      void pipeline.start();
      return pipeline;
    };
    const until = async (condition: () => boolean, rounds = 3_000): Promise<void> => {
      for (let i = 0; i < rounds; i += 1) {
        if (condition()) return;
        time.advance(10);
        await turns(2);
      }
      throw new Error("the condition was not met");
    };
    const leaderTimers = time.tab();
    const leader = tab("a", leaderTimers, true);
    await until(() => leader.getState().status === "streaming");
    const follower = tab("b", time.tab());
    await until(() => follower.getState().status === "streaming" && follower.metrics().cache?.tabRole === "follower");

    // The leader's tab freezes (a busy main thread, a throttled background tab): no beats, no messages handled.
    leaderTimers.freeze();
    muted = true;
    time.advance(400);
    await turns(5);
    // A new tab opens now and says hello before tab b (silent leader for 400 ms already) steals the lead.
    const late = tab("c", time.tab());
    await turns(200);
    // b steals, leads, and beats; c's hello was taken by nobody.
    await until(() => follower.metrics().cache?.tabRole === "leader" || late.metrics().cache?.tabRole === "leader", 300);
    const stealer = follower.metrics().cache?.tabRole === "leader" ? "b" : "c";
    for (let k = 0; k < 300; k += 1) {
      time.advance(100);
      await turns(3);
    }
    expect({ stealer, late: late.getState().status }).toEqual({ stealer, late: "streaming" });
  });

  it("should give up after 2 minutes in all, however long the leader that took it keeps beating", async () => {
    const time = createFakeTime();
    const leader = createSyncChannel("hello-cap", { tabId: "stuck-leader", timers: time.tab() });
    const joining = createSyncChannel("hello-cap", { tabId: "joining", timers: time.tab() });
    closing.push(leader, joining);
    // Its flush never ends (a storage request that hangs), but it beats.
    leader.answerHellos(() => new Promise(() => undefined));
    let settled = false;
    const answer = joining.hello(2_000).then((value) => {
      settled = true;
      return value;
    });
    await turns(5);
    for (let ms = 0; ms < 119_000; ms += 250) {
      time.advance(250);
      leader.heartbeat(undefined, false);
      await turns(2);
    }
    expect(settled).toBe(false);
    for (let ms = 0; ms < 2_000; ms += 250) {
      time.advance(250);
      leader.heartbeat(undefined, false);
      await turns(2);
    }
    expect(await answer).toBeUndefined();
  });
});
