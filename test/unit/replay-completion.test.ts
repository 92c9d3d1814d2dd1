import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const E = (id: number) => paddedId(id) as Entity;
const zero = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0, created_at: 0, world_address: "0x0" };
const quietPage = { onVisibilityChange: () => () => undefined, onOnline: () => () => undefined };

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let components: TestComponents;

function start(extra: Partial<SyncPipelineOptions> = {}): SyncPipeline {
  const setup = createTestWorld();
  components = setup.components;
  pipeline = createSyncPipeline({ client, world: setup.world, components, environment: quietPage, random: () => 0.5, ...extra });
  void pipeline.start();
  return pipeline;
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});
afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("replay completion", () => {
  it("should finish a replay whose page limit is above the queue's high-water mark, instead of replaying itself forever", async () => {
    client.rows = Array.from({ length: 15 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const p = start({ queue: { highWaterMark: 10 } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.getState().status).toBe("streaming");
    expect(components.Army.values.x.size).toBe(15);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().overflows).toBe(0);
  });

  it("should replay again when a gap arrives while a failed replay waits to retry", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    client.beforePage = (index) => {
      if (index !== 1) return;
      // The second page fails; during the backoff entity 1 (already paged) changes and the stream reconnects.
      setTimeout(() => {
        client.rows[0] = rawEntity(1, 200, { "test-Army": army(99) });
        client.emit(zero);
      }, 10);
      throw 'status: Unavailable, message: "boom"';
    };
    const p = start({ guard: { replayPageLimit: 1 }, backoff: { baseMs: 50, maxMs: 50, jitter: 0 } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.getState().status).toBe("streaming");
    expect(getComponentValue(components.Army, E(1))?.x).toBe(99);
  });
});
