import { describe, expect, it, vi } from "vitest";
import type { SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { memoryPipelines } from "../support/memory-pipeline";
import { rawEntity, ty } from "../support/ty";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

const rig = memoryPipelines();

async function startWithArmies(count: number): Promise<SyncPipeline> {
  // A client that syncs one player's entities (a clause): fewer armies than minRemovalsChecked (20).
  rig.client.rows = Array.from({ length: count }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
  const pipeline = rig.start();
  await vi.advanceTimersByTimeAsync(100);
  expect(rig.components.Army.values.x.size).toBe(count);
  return pipeline;
}

describe("the mass-removal guard in a small synced scope", () => {
  it("should not wipe a small world on one empty page: the second read lists the armies, so none is removed", async () => {
    const p = await startWithArmies(10);
    // Torii answers the recovery's first read with an empty page and no error (the case the guard exists for), then
    // answers truthfully again.
    const getEntities = rig.client.getEntities.bind(rig.client);
    let emptyAnswers = 1;
    rig.client.getEntities = (query) => {
      if (emptyAnswers > 0) {
        emptyAnswers -= 1;
        return Promise.resolve({ items: [], next_cursor: undefined }) as ReturnType<typeof getEntities>;
      }
      return getEntities(query);
    };
    await Promise.all([p.forceReplay(), vi.advanceTimersByTimeAsync(1_000)]);
    expect(emptyAnswers).toBe(0);
    expect(rig.components.Army.values.x.size).toBe(10);
    expect(p.metrics().reconciled).toBe(0);
  });

  it("should remove every army of a small scope once a second read is empty too (all of them died while offline)", async () => {
    const p = await startWithArmies(3);
    // Deleted on Torii while the stream was down: the stream never re-sends a missed deletion, only a replay finds it.
    rig.client.rows = [];
    await Promise.all([p.forceReplay(), vi.advanceTimersByTimeAsync(1_000)]);
    expect(rig.components.Army.values.x.size).toBe(0);
    expect(p.metrics().reconciled).toBe(3);
    expect(p.metrics().reconcileSkipped).toBe(0);
  });
});
