import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const quietPage = { onVisibilityChange: () => () => undefined, onOnline: () => () => undefined };

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;

function start(extra: Partial<SyncPipelineOptions> = {}): SyncPipeline {
  const { world, components } = createTestWorld();
  pipeline = createSyncPipeline({ client, world, components, environment: quietPage, random: () => 0.5, ...extra });
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

describe("quiet world", () => {
  it("should not replay a quiet world whose sampled row has a model the client rejects", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": { ...army(1), x: ty.raw("u32", "not a number") } })];
    const p = start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(p.metrics().replays).toBe(1);
    expect(p.metrics().probes).toBeGreaterThan(10);
  });
});
