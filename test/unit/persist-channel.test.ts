import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import type { AdmittedChange } from "../../src/core/ports";
import { openSyncCache, type SyncCache } from "../../src/persist/cache";
import { createSyncChannel, type HelloAnswer, type SyncChannel } from "../../src/persist/channel";
import type { ScopedMessages } from "../../src/persist/messages";
import { createFakeTime, deleteEntity, deleteModel, id, turns, until, write } from "./persist-fakes";
import { ReferenceState, referenceOf } from "./persist-reference";

const IDENTITY = { fingerprint: "schema-a", packageVersion: "1.0.0" };
const closing: Array<{ close(): void }> = [];

afterEach(() => {
  for (const item of closing.splice(0)) item.close();
});

function channel(tabId: string, timers = createFakeTime().tab()): SyncChannel {
  const opened = createSyncChannel("relay-test", { tabId, timers });
  closing.push(opened);
  return opened;
}

async function cache(factory: IDBFactory): Promise<SyncCache> {
  const opened = await openSyncCache({ name: "cache", identity: IDENTITY, indexedDB: factory, timers: createFakeTime().tab() });
  if (opened === undefined) throw new Error("the cache did not open");
  closing.push(opened);
  return opened;
}

describe("the tabs' channel", () => {
  it("should let a follower join without a gap: listen, hello, read the cache once flushed, then apply what it heard", async () => {
    const factory = new IDBFactory();
    const leaderCache = await cache(factory);
    // A long interval: only the hello makes the leader write.
    const writer = leaderCache.createWriter({ flushIntervalMs: 60_000 });
    const leader = channel("leader");
    leader.answerHellos(async () => {
      await writer.flush();
      return leaderCache.readWatermark();
    });
    const admitted: AdmittedChange[] = [];
    const admit = (changes: AdmittedChange[]): void => {
      admitted.push(...changes);
      writer.note(changes);
      leader.publish(changes);
    };

    admit([write(1, "ns-Army", { hp: [10, 100] }), write(2, "ns-Army", { hp: [20, 100] }), write(3, "ns-Tile", { owner: [1, 90] }, "events")]);
    // The follower tab opens: it listens first.
    const follower = channel("follower");
    const heard: ScopedMessages[][] = [];
    follower.onChanges((batches) => heard.push([...batches]));
    admit([write(1, "ns-Army", { hp: [11, 101] }), deleteEntity(2, 101)]);
    expect(await (await cache(factory)).hydrate(() => undefined)).toMatchObject({ entities: 0 });

    const answer = follower.hello();
    admit([write(4, "ns-Army", { hp: [40, 102] }), deleteModel(1, "ns-Army", 103), write(1, "ns-Army", { x: [5, 103] })]);
    const flushed = (await answer) as HelloAnswer;
    // The flush covers at least everything noted before the hello was sent (and whatever came before it arrived).
    expect(flushed.from).toBe("leader");
    expect(flushed.watermark?.executedAt).toBeGreaterThanOrEqual(101);
    admit([write(5, "ns-Army", { hp: [50, 104] })]);
    await until(() => heard.length === 3);

    const state = new ReferenceState();
    const read = await (await cache(factory)).hydrate((scope, messages) => state.applyMessages(scope, messages));
    expect(read.entities).toBeGreaterThanOrEqual(3);
    for (const batches of heard) state.applyBatches(batches);
    expect(state.rejected).toBe(0);
    expect(state.visible()).toEqual(referenceOf(admitted).visible());
  });

  it("should resolve a hello with undefined when no leader answers in time", async () => {
    const time = createFakeTime();
    const lonely = channel("lonely", time.tab());
    const answer = lonely.hello(1_000);
    await turns(10);
    time.advance(1_000);
    expect(await answer).toBeUndefined();
  });

  it("should wait for a flushing leader while it beats, and give up once it stops beating", async () => {
    const time = createFakeTime();
    const leader = channel("slow-leader", time.tab());
    const follower = channel("waiting-follower", time.tab());
    let flushDone: () => void = () => undefined;
    leader.answerHellos(() => new Promise((resolve) => (flushDone = () => resolve(undefined))));
    let settled = false;
    const answer = follower.hello(1_000).then((value) => {
      settled = true;
      return value;
    });
    // The leader flushes for 5 s, beating every 250 ms: the hello waits on past its 1 s.
    for (let ms = 0; ms < 5_000; ms += 250) {
      time.advance(250);
      leader.heartbeat(undefined, false);
      await turns(5);
    }
    expect(settled).toBe(false);
    flushDone();
    expect(await answer).toMatchObject({ from: "slow-leader" });

    // A leader that says it flushes and then goes silent (its tab closed): the hello ends a timeout after its last beat.
    leader.answerHellos(() => new Promise(() => undefined));
    let late = false;
    const abandoned = follower.hello(1_000).then((value) => {
      late = true;
      return value;
    });
    await turns(5);
    time.advance(999);
    await turns(5);
    expect(late).toBe(false);
    time.advance(1);
    expect(await abandoned).toBeUndefined();
  });

  it("should stop waiting for its own hello once the tab leads (promoted while the old leader is gone)", async () => {
    const time = createFakeTime();
    const promoted = channel("promoted", time.tab());
    let settled = false;
    const answer = promoted.hello(2_000).then((value) => {
      settled = true;
      return value;
    });
    await turns(10);
    expect(settled).toBe(false);
    promoted.answerHellos(() => Promise.resolve(undefined));
    // No time passes: the hello is over because no one else will answer it.
    expect(await answer).toBeUndefined();
  });

  it("should carry heartbeats with the watermark and whether the leader is hidden", async () => {
    const leader = channel("leader");
    const follower = channel("follower");
    const beats: unknown[] = [];
    follower.onHeartbeat((beat) => beats.push(beat));
    leader.heartbeat({ executedAt: 120, takenAt: 5 }, true);
    leader.heartbeat(undefined, false);
    await until(() => beats.length === 2);
    expect(beats).toEqual([
      { from: "leader", watermark: { executedAt: 120, takenAt: 5 }, hidden: true },
      { from: "leader", watermark: undefined, hidden: false },
    ]);
  });

  it("should ignore what other scripts post on the channel, and its own messages", async () => {
    const follower = channel("follower");
    const heard: unknown[] = [];
    follower.onChanges((batches) => heard.push(batches));
    follower.onHeartbeat((beat) => heard.push(beat));
    const stranger = new BroadcastChannel("relay-test");
    closing.push(stranger);
    stranger.postMessage({ t: "changes", from: "x", batches: [] });
    stranger.postMessage({ v: 2, t: "beat", from: "x", hidden: false });
    stranger.postMessage({ v: 1, t: "changes", from: "x", seq: 1, batches: [{ scope: "tables", messages: [] }] });
    stranger.postMessage("hello");
    follower.publish([write(1, "ns-Army", { hp: [1, 1] })]);
    const leader = channel("leader");
    leader.publish([write(1, "ns-Army", { hp: [1, 1] })]);
    await until(() => heard.length === 1);
    await turns(10);
    expect(heard).toHaveLength(1);
  });

  it("should be inert without BroadcastChannel: nothing sent, hellos answered by no one", async () => {
    const none = createSyncChannel("relay-test", { BroadcastChannel: null });
    expect(none.available).toBe(false);
    none.publish([write(1, "ns-Army", { hp: [1, 1] })]);
    expect(await none.hello()).toBeUndefined();
    none.close();
  });

  it("should relay a burst as each entity's outcome, in the shape the decoder reads", async () => {
    const leader = channel("leader");
    const follower = channel("follower");
    const heard: ScopedMessages[][] = [];
    follower.onChanges((batches) => heard.push([...batches]));
    const burst = Array.from({ length: 50 }, (_, i) => write(1, "ns-Army", { hp: [i, 100 + i] }));
    leader.publish(burst);
    await until(() => heard.length === 1);
    expect(heard[0]).toEqual([{ scope: "entities", messages: [{ hashed_keys: id(1), models: { "ns-Army": { hp: expect.objectContaining({ value: 49 }) } }, executed_at: 149, updated_at: 149, created_at: 149 }] }]);
  });
});
