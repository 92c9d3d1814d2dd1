import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipeline, SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { waitFor, type FakeTorii } from "torii-sync-guard/testing";
import { diffWorld } from "../support/compare-world";
import { converged, realClientRigs } from "../support/real-client";

const rigs = realClientRigs();
afterEach(() => rigs.teardown());

async function boot(seed: number, extra: Partial<SyncPipelineOptions> = {}) {
  const rig = await rigs.start(seed, () => ({ guard: { replayPageLimit: 25 }, ...extra }));
  await rig.pipeline.start();
  return rig;
}

/**
 * Quiet: the server holds nothing back for the subscriber, and the pipeline has applied all it received, with the
 * received count unchanged across two polls (frames already on the socket have arrived).
 */
async function quiet(f: FakeTorii, p: SyncPipeline): Promise<void> {
  let last = -1;
  await waitFor(
    () => {
      const received = p.metrics().received;
      const settled = f.chaos.subscribers().every((s) => s.pending === 0) && p.metrics().queueDepth === 0 && received === last;
      last = received;
      return settled;
    },
    { timeoutMs: 20_000, intervalMs: 100, description: "the stream to go quiet" },
  );
}

describe("the pipeline with the real Torii client against the fake server", () => {
  it("should boot from a snapshot paged across pages and equal the server", async () => {
    const { fake, pipeline, components } = await boot(11);
    expect(pipeline.metrics().replays).toBe(1);
    expect(fake.stats().requests.RetrieveEntities).toBeGreaterThanOrEqual(3);
    const diff = diffWorld(fake.world.entities(), components);
    expect(diff.mismatches).toEqual([]);
    expect(diff.compared).toBeGreaterThan(40);
  });

  it("should converge under reorder and duplicate chaos once quiet and after one forceReplay()", async () => {
    const { fake, pipeline, components } = await boot(12);
    fake.chaos.set({ reorderWindow: 8, reorderFlushMs: 20, duplicateProbability: 0.2, jitterMs: 5 });
    // In small bursts, so the subscriber's buffer never passes 256 held messages (that is another test).
    for (let burst = 0; burst < 30; burst += 1) {
      fake.world.step(5);
      await waitFor(() => fake.chaos.subscribers().every((s) => s.pending === 0), { description: "the reorder window to flush" });
    }
    await quiet(fake, pipeline);
    const metrics = pipeline.metrics();
    const [subscriber] = fake.chaos.subscribers();
    // The chaos really happened: duplicates were sent and the stream delivered the blocks' updates.
    expect(fake.stats().evictions).toBe(0);
    expect(subscriber?.duplicated).toBeGreaterThan(0);
    expect(metrics.received).toBeGreaterThan(100);
    await pipeline.forceReplay();
    expect(pipeline.getState().status).toBe("streaming");
    const diff = diffWorld(fake.world.entities(), components);
    expect(diff.mismatches).toEqual([]);
    expect(diff.compared).toBeGreaterThan(40);
    console.info(`[convergence] compared ${diff.compared} entity-models, 0 different; received ${metrics.received}, dropped stale ${metrics.droppedStale}`);
  });

  it("should let every update of a 2,000-block burst land with nothing lost, with no replay", async () => {
    const { fake, pipeline, components } = await boot(13);
    // Real Torii drops a subscriber whose 256-message buffer fills; here the buffer is large so the stream alone is tested.
    fake.chaos.set({ maxPendingMessages: 1_000_000 });
    for (let block = 0; block < 2_000; block += 1) fake.world.step(1);
    const compared = await converged(fake, components);
    expect(pipeline.metrics().replays).toBe(1);
    expect(pipeline.metrics().gaps).toBe(0);
    expect(pipeline.metrics().received).toBeGreaterThan(2_000);
    expect(compared).toBeGreaterThan(40);
  });

  it("should recover when real Torii's 256-message buffer drops the subscriber during a burst", async () => {
    const { fake, pipeline, components } = await boot(16);
    // A slow client: the server holds what it cannot write, past 256 messages it drops the subscriber.
    fake.chaos.stall();
    for (let block = 0; block < 600; block += 1) fake.world.step(1);
    await waitFor(() => fake.stats().evictions > 0, { description: "the fake to evict the subscriber" });
    await waitFor(() => pipeline.metrics().gaps > 0, { timeoutMs: 10_000, description: "the zero entity after the client reconnects" });
    await converged(fake, components);
    expect(pipeline.getState().status).toBe("streaming");
  });

  it("should turn a broken connection into a gap signal, replay and converge", async () => {
    const { fake, pipeline, components, statuses } = await boot(14);
    fake.chaos.breakConnections();
    // While the client is cut off the world moves on: these updates are never re-sent by Torii.
    for (let block = 0; block < 30; block += 1) fake.world.step(1);
    await waitFor(() => pipeline.metrics().gaps > 0, { timeoutMs: 10_000, description: "the zero entity" });
    await waitFor(() => pipeline.metrics().replays >= 2 && pipeline.getState().status === "streaming", { timeoutMs: 10_000 });
    expect(statuses).toContain("lagging");
    await converged(fake, components);
  });

  it("should leave no subscriber, stream or socket behind after cancel() and close()", async () => {
    const { fake, pipeline, client } = await boot(15);
    expect(fake.stats().subscribers).toBe(1);
    pipeline.cancel();
    pipeline.cancel();
    await waitFor(() => fake.stats().subscribers === 0, { description: "the server to see the stream close" });
    expect(pipeline.inspect().openStreams).toBe(0);
    client.free();
    await fake.close();
    expect(fake.stats()).toMatchObject({ openStreams: 0, subscribers: 0, sockets: 0, timers: 0 });
  });
});

describe("event messages with the real client", () => {
  it("should sync entities and event messages side by side, each in its own ledger scope", async () => {
    const rig = await rigs.start(17, () => ({ scopes: ["entities", "events"], guard: { replayPageLimit: 25 } }));
    await rig.pipeline.start();
    for (let burst = 0; burst < 10; burst += 1) {
      rig.fake.world.step(5);
      await waitFor(() => rig.fake.chaos.subscribers().every((s) => s.pending === 0));
    }
    const both = () => [...rig.fake.world.entities(), ...rig.fake.world.eventMessages()];
    expect(rig.fake.world.eventMessages().length).toBeGreaterThan(0);
    // Two streams on the server: one per scope.
    expect(rig.fake.stats().subscribers).toBe(2);
    await waitFor(() => diffWorld(both(), rig.components).mismatches.length === 0, { timeoutMs: 15_000, description: "events and entities to match" });
    const inspection = rig.pipeline.inspect();
    expect(inspection.ledger.events.models).toBeGreaterThan(0);
    expect(inspection.ledger.entities.models).toBeGreaterThan(0);
  });
});
