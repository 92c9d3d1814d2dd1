import { afterEach, describe, expect, it } from "vitest";
import type { SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import type { FakeTorii } from "torii-sync-guard/testing";
import { converged, FAST_GUARD, realClientRigs } from "../support/real-client";

const rigs = realClientRigs();
afterEach(() => rigs.teardown());


/** A round ends while the client is away: the stream is stalled and most of the world is removed. */
async function endRoundWhileAway(extra: (fake: FakeTorii) => Partial<SyncPipelineOptions>) {
  const rig = await rigs.start(51, (fake) => ({ guard: FAST_GUARD, backoff: { baseMs: 50, maxMs: 200 }, ...extra(fake) }));
  await rig.pipeline.start();
  const { fake } = rig;
  fake.chaos.stall({ mode: "drop" });
  const ids = fake.world.entities().map((entity) => entity.hashed_keys);
  const removed = ids.slice(0, Math.ceil(ids.length * 0.7));
  for (const id of removed) fake.world.deleteEntity(id);
  fake.chaos.resume();
  return { ...rig, removed: removed.length, total: ids.length };
}

describe("mass removal with the real Torii client", () => {
  it("should converge after most of the world was removed while away, confirmed by a second snapshot", async () => {
    const { fake, pipeline, components, removed, total } = await endRoundWhileAway(() => ({}));
    expect(removed / total).toBeGreaterThan(0.5);
    await pipeline.forceReplay();
    expect(pipeline.metrics().reconciled).toBeGreaterThan(0);
    expect(pipeline.metrics().reconcileSkipped).toBe(0);
    await converged(fake, components);
  });

  it("should converge the same way with toriiUrl, confirmed by the SQL row count", async () => {
    const { fake, pipeline, components } = await endRoundWhileAway((server) => ({ toriiUrl: server.url }));
    await pipeline.forceReplay();
    expect(pipeline.metrics().reconciled).toBeGreaterThan(0);
    expect(pipeline.metrics().reconcileSkipped).toBe(0);
    await converged(fake, components);
  });
});
