import { afterEach, describe, expect, it } from "vitest";
import { driveWrites, waitFor, type FakeTorii } from "torii-sync-guard/testing";
import { converged, realClientRigs } from "../support/real-client";

const rigs = realClientRigs();
afterEach(() => rigs.teardown());

const GUARD = { heartbeatTimeoutMs: 1_000, heartbeatCheckIntervalMs: 200, probeTimeoutMs: 2_000, maxReplayAttempts: 3, replayPageLimit: 50 };

/** World activity under load: blocks stepped as fast as the client keeps up, until `stop()`. */
function load(fake: FakeTorii) {
  return driveWrites(fake.world, { count: 1_000_000, write: () => fake.world.step(1), ratePerSecond: 200 });
}

describe("the replay cap under load (the seed's 4.5), real client against the fake Torii", () => {
  it("should never reach error over a long run of recoveries that each fail twice, then succeed", async () => {
    const { fake, pipeline, components, statuses } = await rigs.start(61, () => ({ guard: GUARD, backoff: { baseMs: 20, maxMs: 80 } }));
    await pipeline.start();
    const drive = load(fake);
    for (let round = 0; round < 12; round += 1) {
      const replays = pipeline.metrics().replays;
      fake.chaos.failNextPages(2, { message: "load: indexer hiccup" });
      fake.chaos.breakConnections();
      await waitFor(() => pipeline.metrics().replays > replays && pipeline.getState().status === "streaming", { timeoutMs: 20_000, description: `recovery ${round + 1}` });
      expect(pipeline.getState().replayAttempts).toBe(0);
    }
    drive.stop();
    await drive.done;
    expect(statuses).not.toContain("error");
    // Boot and twelve recoveries, each a successful replay.
    expect(pipeline.metrics().replays).toBeGreaterThanOrEqual(13);
    await pipeline.forceReplay();
    await converged(fake, components);
  });

  it("should spend the budget on sustained faults, offer the hard reload, and recover by Try again", async () => {
    const { fake, pipeline, components } = await rigs.start(62, () => ({ guard: GUARD, backoff: { baseMs: 20, maxMs: 80 } }));
    await pipeline.start();
    const drive = load(fake);
    fake.chaos.failNextPages(1_000, { message: "load: indexer down" });
    fake.chaos.breakConnections();
    await waitFor(() => pipeline.getState().status === "error", { timeoutMs: 20_000, description: "the budget to be spent" });
    expect(pipeline.getState()).toMatchObject({ canHardReload: true, replayAttempts: 3 });
    drive.stop();
    await drive.done;
    fake.chaos.failNextPages(0);
    await pipeline.forceReplay();
    expect(pipeline.getState()).toMatchObject({ status: "streaming", canHardReload: false, replayAttempts: 0 });
    await converged(fake, components);
  });
});
