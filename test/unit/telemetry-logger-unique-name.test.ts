import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { syncDebugRegistry } from "../../src/telemetry/inspector";
import { createMetricsSink, type MetricsSinkRecord } from "../../src/telemetry/metrics-sink";
import type { SyncLogRecord } from "../../src/telemetry/structured-logger";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const pipelines: SyncPipeline[] = [];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const p of pipelines.splice(0)) p.cancel();
  vi.useRealTimers();
});

describe("two pipelines sharing a name (two providers on one world: the game and a minimap)", () => {
  it("should tag the second one's log records with the same unique name its inspector entry and sink records use", async () => {
    const logs: SyncLogRecord[] = [];
    const sinkRecords: MetricsSinkRecord[] = [];
    const sink = createMetricsSink((record) => sinkRecords.push(record), { snapshots: false });
    for (let i = 0; i < 2; i += 1) {
      const client = new MemoryToriiClient();
      client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
      const { world, components } = createTestWorld();
      const p = createSyncPipeline({
        client,
        world,
        components,
        environment: noPageEnvironment,
        inspector: "torii-sync:game",
        logger: (record) => logs.push(record),
        sinks: [sink],
      });
      pipelines.push(p);
      void p.start();
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(Object.keys(syncDebugRegistry() ?? {}).sort()).toEqual(["torii-sync:game", "torii-sync:game#2"]);
    expect(new Set(sinkRecords.map((r) => r.pipeline))).toEqual(new Set(["torii-sync:game", "torii-sync:game#2"]));
    // The logs must say which of the two a line is about, as the inspector and the sinks do.
    expect(new Set(logs.map((r) => r.pipeline))).toEqual(new Set(["torii-sync:game", "torii-sync:game#2"]));
  });
});
