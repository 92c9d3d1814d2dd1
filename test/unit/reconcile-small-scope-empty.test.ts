import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("the mass-removal guard in a small synced scope", () => {
  it("should never wipe a small world on an empty snapshot (fewer tracked components than minRemovalsChecked)", async () => {
    // A client that syncs one player's entities (a clause): 10 armies, fewer than minRemovalsChecked (20).
    client.rows = Array.from({ length: 10 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const setup = createTestWorld();
    components = setup.components;
    pipeline = createSyncPipeline({ client, world: setup.world, components, environment: noPageEnvironment, random: () => 0.5 });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    expect(components.Army.values.x.size).toBe(10);
    // Torii answers the recovery's read with an empty page and no error (the case the guard exists for): twice.
    client.rows = [];
    await Promise.all([pipeline.forceReplay(), vi.advanceTimersByTimeAsync(1_000)]);
    await Promise.all([pipeline.forceReplay(), vi.advanceTimersByTimeAsync(1_000)]);
    // Nothing confirmed the removal: the player's armies must still be there.
    expect(components.Army.values.x.size).toBe(10);
    expect(pipeline.metrics().reconciled).toBe(0);
  });
});
