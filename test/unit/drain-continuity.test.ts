import { getComponentValue, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld, type TestComponents } from "../support/world";

// Each test here pins a bug found in review (the scenario that showed it), so it cannot come back.

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const E = (id: number) => paddedId(id) as Entity;
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

describe("drain continuity", () => {
  it("should drain an update that arrives right after a drain's last slice", async () => {
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const p = start();
    await vi.advanceTimersByTimeAsync(200);
    let once = true;
    p.subscribeApplied?.(() => {
      if (!once) return;
      once = false;
      queueMicrotask(() => client.emit(rawEntity(2, 101, { "test-Army": army(2) })));
    });
    client.emit(rawEntity(1, 101, { "test-Army": army(5) }));
    await vi.advanceTimersByTimeAsync(500);
    expect(getComponentValue(components.Army, E(2))).toBeDefined();
    expect(p.metrics().queueDepth).toBe(0);
  });
});
