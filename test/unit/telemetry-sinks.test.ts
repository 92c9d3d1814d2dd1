import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { syncEntitiesDebounced } from "../../src/sync/sync-entities";
import { createMetricsSink, type MetricsSinkRecord } from "../../src/telemetry/metrics-sink";
import type { SyncSink } from "../../src/telemetry/sink";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

const pipelines: SyncPipeline[] = [];
let client: MemoryToriiClient;

function create(extra: Partial<SyncPipelineOptions>): SyncPipeline {
  const { world, components } = createTestWorld();
  const p = createSyncPipeline({ client, world, components, environment: noPageEnvironment, logging: false, ...extra });
  pipelines.push(p);
  return p;
}

const snapshotsOf = (records: MetricsSinkRecord[]) => records.filter((record): record is Extract<MetricsSinkRecord, { kind: "snapshot" }> => record.kind === "snapshot");

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_000);
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
});

afterEach(() => {
  for (const p of pipelines.splice(0)) p.cancel();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("createMetricsSink", () => {
  it("should send at most one snapshot per interval, the latest state at the end of each wait", async () => {
    const records: MetricsSinkRecord[] = [];
    const p = create({ sinks: [createMetricsSink((record) => records.push(record), { intervalMs: 1_000 })] });
    void p.start();
    // Five seconds of a busy stream: a drain (and a store update) every 100 ms.
    for (let i = 0; i < 50; i += 1) {
      client.emit(rawEntity(1, 200 + i, { "test-Army": army(i) }));
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    const snapshots = snapshotsOf(records);
    const times = snapshots.map((s) => s.at);
    for (let i = 1; i < times.length; i += 1) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1_000);
    expect(snapshots.length).toBeGreaterThanOrEqual(5);
    expect(snapshots.length).toBeLessThanOrEqual(7);
    // Nothing is lost by throttling: the last snapshot has the newest figures.
    expect(snapshots.at(-1)?.metrics.lastApplied?.seconds).toBe(249);
    expect(snapshots.at(-1)?.metrics).toEqual(p.metrics());
  });

  it("should forward every event as it happens, named by the pipeline", async () => {
    const records: MetricsSinkRecord[] = [];
    const p = create({ inspector: "torii-sync:game", sinks: [createMetricsSink((record) => records.push(record))] });
    const direct: string[] = [];
    p.subscribeEvents((event) => direct.push(event.type));
    void p.start();
    await vi.advanceTimersByTimeAsync(100);
    const events = records.flatMap((record) => (record.kind === "event" ? [record] : []));
    expect(events.map((record) => record.event.type)).toEqual(direct);
    expect(events.every((record) => record.pipeline === "torii-sync:game")).toBe(true);
  });

  it("should name records of two pipelines apart, one sink for both", async () => {
    const records: MetricsSinkRecord[] = [];
    const sink = createMetricsSink((record) => records.push(record), { intervalMs: 0 });
    void create({ inspector: "torii-sync:game", sinks: [sink] }).start();
    void create({ inspector: "torii-sync:mobile", sinks: [sink] }).start();
    await vi.advanceTimersByTimeAsync(100);
    expect(new Set(records.map((record) => record.pipeline))).toEqual(new Set(["torii-sync:game", "torii-sync:mobile"]));
  });

  it("should send a last snapshot on cancel, then nothing more", async () => {
    const records: MetricsSinkRecord[] = [];
    const p = create({ sinks: [createMetricsSink((record) => records.push(record), { intervalMs: 60_000 })] });
    void p.start();
    await vi.advanceTimersByTimeAsync(100);
    const before = snapshotsOf(records).length;
    p.cancel();
    expect(snapshotsOf(records)).toHaveLength(before + 1);
    expect(snapshotsOf(records).at(-1)?.sync.reason).toBe("cancelled");
    const count = records.length;
    client.emit(rawEntity(1, 500, { "test-Army": army(3) }));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(records).toHaveLength(count);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should send a snapshot of every attached pipeline on flush(), whatever the interval", async () => {
    const records: MetricsSinkRecord[] = [];
    const sink = createMetricsSink((record) => records.push(record), { intervalMs: 60_000, events: false });
    const p = create({ sinks: [sink] });
    void p.start();
    await vi.advanceTimersByTimeAsync(100);
    const before = records.length;
    sink.flush();
    expect(records).toHaveLength(before + 1);
    expect(records.at(-1)).toMatchObject({ kind: "snapshot", metrics: p.metrics() });
  });

  it("should keep syncing when a sink throws, and surface the throw outside the engine", async () => {
    const thrown: Array<() => void> = [];
    vi.spyOn(globalThis, "queueMicrotask").mockImplementation((callback) => thrown.push(callback));
    const broken: SyncSink = {
      attach: () => {
        throw new Error("cannot attach");
      },
    };
    const p = create({
      sinks: [
        broken,
        createMetricsSink(() => {
          throw new Error("sink down");
        }, { intervalMs: 0 }),
      ],
    });
    void p.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(p.getState().status).toBe("streaming");
    expect(thrown.length).toBeGreaterThan(1);
    expect(() => thrown[0]?.()).toThrow("cannot attach");
    expect(() => thrown[1]?.()).toThrow("sink down");
  });

  it("should take sinks through syncEntitiesDebounced's options too, the seed's call shape", async () => {
    const records: MetricsSinkRecord[] = [];
    const { world, components } = createTestWorld();
    const sync = syncEntitiesDebounced(client, { world, components }, undefined, false, {
      environment: noPageEnvironment,
      inspector: "torii-sync:game",
      sinks: [createMetricsSink((record) => records.push(record))],
    });
    await vi.advanceTimersByTimeAsync(100);
    await sync.ready;
    expect(records.some((record) => record.kind === "event" && record.event.type === "replay_finished")).toBe(true);
    sync.cancel();
    expect(records.at(-1)).toMatchObject({ kind: "snapshot", pipeline: "torii-sync:game", sync: { reason: "cancelled" } });
  });
});
