// A follower waits `hiddenFreezeMs` only for a leader whose last heartbeat said it was hidden. When the leader's page goes
// to the background, the browser throttles its timers at once (Chrome aligns a hidden page's timers to 1 s wake-ups), so
// a heartbeat sent by the timer would announce `hidden: true` up to 1 s late, past `freezeMs` (750 ms): a follower took
// the lead from a healthy leader the moment the user switched tabs. The leader now beats on the visibility change.
import { afterEach, describe, expect, it } from "vitest";
import { createSyncChannel, type SyncChannel } from "../../src/persist/channel";
import { electLeader, type LeaderElection } from "../../src/persist/election";
import { createFakeTime, FakeLockManager, turns, until, type TabTimers } from "./persist-fakes";

interface Tab {
  readonly timers: TabTimers;
  readonly channel: SyncChannel;
  readonly election: LeaderElection;
  readonly events: string[];
  hidden: boolean;
  /** The page's visibilitychange listeners (the browser fires the event before it throttles the page's timers). */
  readonly visibility: Set<() => void>;
}

const time = createFakeTime();
const locks = new FakeLockManager();
const open: Tab[] = [];

function tab(name: string): Tab {
  const timers = time.tab();
  const channel = createSyncChannel("review-hidden", { tabId: name, timers });
  const self = { timers, channel, events: [] as string[], hidden: false, visibility: new Set<() => void>() } as Tab;
  (self as { election: LeaderElection }).election = electLeader("review-hidden", {
    locks,
    channel,
    timers,
    random: () => 0.5,
    isHidden: () => self.hidden,
    onVisibilityChange: (listener) => {
      self.visibility.add(listener);
      return () => self.visibility.delete(listener);
    },
    onLead: () => self.events.push("lead"),
    onFollow: () => self.events.push("follow"),
    onDemoted: () => self.events.push("demoted"),
  });
  open.push(self);
  return self;
}

async function run(ms: number, step = 25): Promise<void> {
  for (let passed = 0; passed < ms; passed += step) {
    time.advance(step);
    await turns(4);
  }
}

afterEach(() => {
  for (const t of open.splice(0)) {
    t.election.close();
    t.channel.close();
  }
});

describe("a leader whose page goes to the background", () => {
  it("should keep the lead through the first throttled second after it is hidden", async () => {
    const a = tab("a");
    await until(() => a.election.role === "leader");
    const b = tab("b");
    await until(() => b.election.role === "follower");
    await run(500);
    // The user switches away from the leader's tab: hidden, and its timers now wake once a second.
    a.hidden = true;
    for (const listener of a.visibility) listener();
    a.timers.freeze();
    await run(1_000);
    a.timers.thaw();
    // From here its heartbeats say it is hidden: the follower waits `hiddenFreezeMs` for it.
    await run(3_000);
    expect(b.election.counters().steals).toBe(0);
    expect([a.events, b.events]).toEqual([["lead"], ["follow"]]);
    a.election.close();
    expect(a.visibility.size).toBe(0);
  });
});
