import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { waitFor, type FakeTorii } from "torii-sync-guard/testing";
import { converged, FAST_GUARD, realClientRigs } from "../support/real-client";

const rigs = realClientRigs();
afterEach(() => rigs.teardown());

// Short liveness timings so the real-time tests stay short; the fake-timer unit tests cover the defaults.

async function boot(seed: number, extra: (fake: FakeTorii) => Partial<SyncPipelineOptions> = () => ({})) {
  const rig = await rigs.start(seed, (fake) => ({ guard: FAST_GUARD, backoff: { baseMs: 50, maxMs: 200 }, ...extra(fake) }));
  await rig.pipeline.start();
  return rig;
}

describe("the Sync Guard with the real Torii client against the fake server", () => {
  it("should catch an open-but-silent stream while the world changes (SQL watermark), replay and converge", async () => {
    const { fake: f, pipeline: p, components, statuses } = await boot(21, (server) => ({ toriiUrl: server.url }));
    f.chaos.stall({ mode: "drop" });
    for (let block = 0; block < 20; block += 1) f.world.step(1);
    await waitFor(() => p.metrics().evidence.server_ahead !== undefined, { timeoutMs: 10_000, description: "the probe to see the server ahead" });
    await waitFor(() => p.getState().status === "streaming" && p.metrics().replays >= 2, { timeoutMs: 10_000 });
    // The stall was silent: no gap signal, only the probe could tell.
    expect(p.metrics().gaps).toBe(0);
    expect(statuses).toContain("lagging");
    await converged(f, components);
  });

  it("should never replay a quiet world that only its probes touch", async () => {
    const { fake: f, pipeline: p } = await boot(22, (server) => ({ toriiUrl: server.url }));
    const probesAtStart = p.metrics().probes;
    await waitFor(() => p.metrics().probes >= probesAtStart + 3, { timeoutMs: 10_000, description: "three probes of silence" });
    expect(p.metrics().replays).toBe(1);
    expect(p.getState().status).toBe("streaming");
    // Each probe asks the indexer for its head and the SQL endpoint for its watermark (counted once they reach the server).
    await waitFor(() => (f.stats().requests.RetrieveContracts ?? 0) >= 3 && (f.stats().requests["/sql"] ?? 0) >= 3, { description: "the probes' requests" });
    expect(p.metrics().indexerHead?.block).toBe(f.world.head().block);
    expect(p.metrics().replays).toBe(1);
  });

  it("should converge after a server restart", async () => {
    const { fake: f, pipeline: p, components } = await boot(23);
    await f.restart({ downtimeMs: 300 });
    for (let block = 0; block < 20; block += 1) f.world.step(1);
    // Either the client's gap signal after its reconnect or a probe failing during the downtime starts the recovery.
    await waitFor(() => p.metrics().replays >= 2, { timeoutMs: 15_000, description: "a replay after the restart" });
    await converged(f, components);
    expect(p.getState().status).toBe("streaming");
  });

  it("should retry page failures during a replay with backoff and converge", async () => {
    const { fake: f, pipeline: p, components, statuses } = await boot(24);
    for (let block = 0; block < 10; block += 1) f.world.step(1);
    f.chaos.failNextPages(2, { message: "indexer restarting" });
    await p.forceReplay();
    expect(p.getState().status).toBe("streaming");
    // Two failures, then a success that gives the budget back.
    expect(p.getState().replayAttempts).toBe(0);
    expect(statuses.filter((s) => s === "lagging").length).toBeGreaterThanOrEqual(2);
    await converged(f, components);
  });

  it("should reach error after the budget when page failures persist, and recover by forceReplay()", async () => {
    const { fake: f, pipeline: p, components } = await boot(25);
    f.chaos.failNextPages(50, { message: "indexer down" });
    f.chaos.breakConnections();
    await waitFor(() => p.getState().status === "error", { timeoutMs: 15_000, description: "the budget to be spent" });
    expect(p.getState().canHardReload).toBe(true);
    expect(p.getState().lastError?.message).toMatch(/indexer down/);
    f.chaos.failNextPages(0);
    for (let block = 0; block < 5; block += 1) f.world.step(1);
    await p.forceReplay();
    expect(p.getState()).toMatchObject({ status: "streaming", canHardReload: false });
    await converged(f, components);
  });
});
