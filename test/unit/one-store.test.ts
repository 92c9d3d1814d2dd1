import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
});
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("the pipeline's one store", () => {
  it("should notify its store once per drain, however many updates the drain applies and whatever state they move", async () => {
    const { world, components } = createTestWorld();
    pipeline = createSyncPipeline({ client, world, components, environment: noPageEnvironment });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    const snapshots: unknown[] = [];
    const off = pipeline.store.subscribe((snapshot) => snapshots.push(snapshot));
    for (let i = 0; i < 500; i += 1) client.emit(rawEntity(2 + (i % 200), 200 + i, { "test-Army": army(i) }));
    await vi.advanceTimersByTimeAsync(100);
    // 200 entities, one drain slice: it moved lastAppliedAt and every counter, and the store heard of it once.
    expect(pipeline.metrics().applied).toBe(201);
    expect(snapshots).toHaveLength(1);
    const [snapshot] = snapshots as Array<{ sync: { lastAppliedAt: number }; metrics: { applied: number } }>;
    expect(snapshot?.metrics.applied).toBe(201);
    expect(snapshot?.sync.lastAppliedAt).toBe(pipeline.getState().lastAppliedAt);
    off();
  });

  it("should publish each state transition once, with the metrics of that moment", async () => {
    const { world, components } = createTestWorld();
    pipeline = createSyncPipeline({ client, world, components, environment: noPageEnvironment });
    const statuses: string[] = [];
    pipeline.store.subscribe((snapshot, previous) => {
      if (snapshot.sync.status !== previous.sync.status) statuses.push(snapshot.sync.status);
    });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    expect(statuses).toEqual(["replaying", "streaming"]);
    expect(pipeline.store.getState().metrics.replays).toBe(1);
  });
});
