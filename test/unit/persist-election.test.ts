import { afterEach, describe, expect, it } from "vitest";
import { createSyncChannel, type SyncChannel } from "../../src/persist/channel";
import { electLeader, type LeaderElection } from "../../src/persist/election";
import { createFakeTime, FakeLockManager, turns, until, type TabTimers } from "./persist-fakes";

interface Tab {
  readonly name: string;
  readonly timers: TabTimers;
  readonly channel: SyncChannel;
  readonly election: LeaderElection;
  readonly events: string[];
  /** Fake time at which this tab last took the lead. */
  ledAt: number | undefined;
  hidden: boolean;
}

let time = createFakeTime();
let locks = new FakeLockManager();
const open: Tab[] = [];

function tab(name: string, options: { random?: number; withLocks?: boolean } = {}): Tab {
  const timers = time.tab();
  const channel = createSyncChannel("sync-test", { tabId: name, timers });
  const events: string[] = [];
  const self: Tab = { name, timers, channel, events, ledAt: undefined, hidden: false } as Tab;
  (self as { election: LeaderElection }).election = electLeader("sync-test", {
    locks: options.withLocks === false ? null : locks,
    channel,
    timers,
    random: () => options.random ?? 0,
    isHidden: () => self.hidden,
    watermark: () => ({ executedAt: 100, takenAt: 0 }),
    onLead: () => {
      events.push("lead");
      self.ledAt = time.now();
    },
    onFollow: () => events.push("follow"),
    onDemoted: () => events.push("demoted"),
  });
  open.push(self);
  return self;
}

/** Let `ms` of fake time pass in small steps, with event-loop turns between for locks and the channel to deliver. */
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
  time = createFakeTime();
  locks = new FakeLockManager();
});

describe("one writer across tabs", () => {
  it("should let the first tab lead and the next ones follow", async () => {
    const a = tab("a");
    await until(() => a.election.role === "leader");
    const b = tab("b");
    await until(() => b.election.role === "follower");
    await run(2_000);
    expect([a.events, b.events]).toEqual([["lead"], ["follow"]]);
    expect(b.election.counters()).toMatchObject({ steals: 0, leaderChanges: 0 });
  });

  it("should hand the lead to a follower at once when the leader closes", async () => {
    const a = tab("a");
    await until(() => a.election.role === "leader");
    const b = tab("b");
    await until(() => b.election.role === "follower");
    const closedAt = time.now();
    a.election.close();
    await until(() => b.election.role === "leader");
    expect(b.ledAt).toBe(closedAt);
    expect(b.events).toEqual(["follow", "lead"]);
  });

  it("should hand the lead on when the leader's tab dies (the browser releases its lock)", async () => {
    const a = tab("a");
    await until(() => a.election.role === "leader");
    const b = tab("b");
    await until(() => b.election.role === "follower");
    a.timers.freeze();
    a.channel.close();
    locks.dropHolder("sync-test");
    await until(() => b.election.role === "leader");
  });

  it("should steal the lead within a second from a leader that froze, and demote it when it wakes", async () => {
    const a = tab("a");
    await until(() => a.election.role === "leader");
    const b = tab("b");
    await until(() => b.election.role === "follower");
    await run(500);
    a.timers.freeze();
    const frozenAt = time.now();
    await run(1_000);
    expect(b.election.role).toBe("leader");
    expect((b.ledAt as number) - frozenAt).toBeLessThanOrEqual(1_000);
    expect(b.election.counters()).toMatchObject({ steals: 1, terms: 1 });
    // The frozen tab's lock request failed: it learns it lost the lead, and follows the new leader.
    await until(() => a.events.includes("demoted"));
    a.timers.thaw();
    await run(3_000);
    expect(a.events).toEqual(["lead", "demoted", "follow"]);
    expect([a.election.role, b.election.role]).toEqual(["follower", "leader"]);
    expect(a.election.counters()).toMatchObject({ demotions: 1, terms: 1 });
  });

  it("should give the lead to one follower only when several see the leader freeze", async () => {
    const a = tab("a");
    await until(() => a.election.role === "leader");
    const b = tab("b", { random: 0 });
    const c = tab("c", { random: 0.9 });
    await until(() => b.election.role === "follower" && c.election.role === "follower");
    a.timers.freeze();
    await run(3_000);
    expect([b.election.role, c.election.role]).toEqual(["leader", "follower"]);
    expect(c.election.counters().steals).toBe(0);
  });

  it("should wait longer before stealing from a hidden leader, whose timers the browser slows", async () => {
    const a = tab("a");
    a.hidden = true;
    await until(() => a.election.role === "leader");
    const b = tab("b");
    await until(() => b.election.role === "follower");
    await run(500);
    a.timers.freeze();
    await run(10_000, 250);
    expect(b.election.role).toBe("follower");
    await run(60_000, 1_000);
    expect(b.election.role).toBe("leader");
  });

  it("should let every tab lead when the browser has no Web Locks", async () => {
    const a = tab("a", { withLocks: false });
    const b = tab("b", { withLocks: false });
    await until(() => a.election.role === "leader" && b.election.role === "leader");
  });

  it("should leave no timer behind once closed", async () => {
    const a = tab("a");
    const b = tab("b");
    await until(() => a.election.role === "leader" && b.election.role === "follower");
    a.election.close();
    b.election.close();
    await turns(10);
    time.advance(10_000);
    expect(time.pending()).toBe(0);
    expect(locks.held("sync-test")).toBe(false);
    expect(locks.waiting("sync-test")).toBe(0);
  });
});

describe("an election closed while its tab takes the lead", () => {
  it("should release the lock when onLead closes it at once (the tab's cache failed as it opened), so another tab leads", async () => {
    const fresh = new FakeLockManager();
    const timers = createFakeTime().tab();
    const leading: string[] = [];
    const first: { election?: LeaderElection } = {};
    first.election = electLeader("close-in-lead", {
      locks: fresh,
      timers,
      onLead: () => {
        leading.push("a");
        first.election?.close();
      },
      onFollow: () => undefined,
      onDemoted: () => undefined,
    });
    await turns(10);
    expect(leading).toEqual(["a"]);
    expect(fresh.held("close-in-lead")).toBe(false);
    const second = electLeader("close-in-lead", { locks: fresh, timers, onLead: () => leading.push("b"), onFollow: () => leading.push("b follows"), onDemoted: () => undefined });
    await turns(10);
    expect(leading).toEqual(["a", "b"]);
    second.close();
  });
});
