import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "torii-sync-guard/testing";
import { converged, FAST_GUARD, realClientRigs } from "../support/real-client";

const rigs = realClientRigs();
afterEach(() => rigs.teardown());

describe("the audit while the stream flows, with the real Torii client", () => {
  it("should replay by itself when a dropping stall lost only removals and the stream flows on", async () => {
    const { fake: f, pipeline: p, components } = await rigs.start(45, (server) => ({ toriiUrl: server.url, guard: FAST_GUARD, backoff: { baseMs: 50, maxMs: 200 } }));
    await p.start();
    const replaysAtBoot = p.metrics().replays;
    // For a moment the stream drops everything: an Army dies and a Tile is reset, and no one hears of it. No write is
    // lost, so the window of recent writes has nothing to find; only the scope's count has moved.
    f.chaos.stall({ mode: "drop" });
    f.world.step(1, { quiet: true });
    const army = f.world.idsWith("blitz-Army", 1)[0] as string;
    const tile = f.world.idsWith("blitz-Tile", 1)[0] as string;
    f.world.deleteModel(army, "blitz-Army");
    f.world.deleteEntity(tile);
    f.chaos.resume();
    // The world goes on and the stream brings every block: silence never comes.
    const steps = setInterval(() => f.world.step(1), 100);
    try {
      await waitFor(() => p.metrics().replays > replaysAtBoot && p.getState().status === "streaming", {
        timeoutMs: 15_000,
        description: "the audit to notice the lost removals and replay",
      });
    } finally {
      clearInterval(steps);
    }
    expect(p.metrics().gaps).toBe(0);
    expect(p.metrics().evidence.server_ahead).toBeGreaterThanOrEqual(1);
    await converged(f, components);
  });

  it("should audit a busy world whose stream brings everything, and never replay it", async () => {
    const { fake: f, pipeline: p, components } = await rigs.start(46, (server) => ({ toriiUrl: server.url, guard: FAST_GUARD }));
    await p.start();
    // Blocks every 100 ms, with armies dying and spawning and tiles reset: the scope's count keeps moving.
    const steps = setInterval(() => f.world.step(1), 100);
    try {
      await waitFor(() => (p.metrics().probesByOutcome.healthy ?? 0) >= 20, { timeoutMs: 30_000, description: "twenty audits" });
    } finally {
      clearInterval(steps);
    }
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().evidence.server_ahead).toBeUndefined();
    await converged(f, components);
  });
});
