// A leader whose page is hidden answers a hello with "flushing, hidden": the follower then waits up to 65 s between its
// beats (Chrome runs a long-hidden page's timers once a minute). It gave a hidden leader 2 s, then read a half-written
// cache.
import { afterEach, describe, expect, it } from "vitest";
import { createSyncChannel, type SyncChannel } from "../../src/persist/channel";
import { createFakeTime, turns } from "./persist-fakes";

const closing: SyncChannel[] = [];
afterEach(() => {
  for (const item of closing.splice(0)) item.close();
});

function channel(tabId: string, timers = createFakeTime().tab()): SyncChannel {
  const opened = createSyncChannel("hidden-flushing", { tabId, timers });
  closing.push(opened);
  return opened;
}

describe("a hello answered by a hidden leader", () => {
  it("should keep waiting for a hidden leader's flush between its (throttled, once a minute) beats", async () => {
    const time = createFakeTime();
    const leader = channel("hidden-leader", time.tab());
    const follower = channel("new-tab", time.tab());
    let flushDone: () => void = () => undefined;
    leader.answerHellos(() => new Promise((resolve) => (flushDone = () => resolve(undefined))));
    // The leader's page is hidden: its last beat said so (it beats at once on visibilitychange).
    leader.heartbeat(undefined, true);
    await turns(5);
    let settled: unknown = "pending";
    void follower.hello(2_000).then((value) => (settled = value));
    await turns(5);
    // Its flush of a cold cache takes 10 s; its next (throttled) beat is due in up to 60 s.
    for (let ms = 0; ms < 10_000; ms += 500) {
      time.advance(500);
      await turns(3);
    }
    flushDone();
    await turns(10);
    expect(settled).toMatchObject({ from: "hidden-leader" });
  });
});
