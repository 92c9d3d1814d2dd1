import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SyncMetrics } from "../../src/core/metrics";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { createMetricsSink, type MetricsSinkRecord } from "../../src/telemetry/metrics-sink";
import { metricsProperties } from "../../src/telemetry/posthog-properties";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const ZERO_ENTITY = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0 };

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;

/** A pipeline with a metrics sink that takes every snapshot (no throttle), so each figure can be read in both places. */
async function withSink(extra: Partial<SyncPipelineOptions> = {}, boot = true): Promise<{ p: SyncPipeline; snapshots: () => SyncMetrics[]; last: () => SyncMetrics }> {
  const records: MetricsSinkRecord[] = [];
  const { world, components } = createTestWorld();
  pipeline = createSyncPipeline({
    client,
    world,
    components,
    environment: noPageEnvironment,
    random: () => 0.5,
    logging: false,
    sinks: [createMetricsSink((record) => records.push(record), { intervalMs: 0 })],
    ...extra,
  });
  const p = pipeline;
  if (boot) {
    void p.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.getState().status).toBe("streaming");
  }
  const snapshots = (): SyncMetrics[] => records.flatMap((record) => (record.kind === "snapshot" ? [record.metrics] : []));
  return { p, snapshots, last: () => snapshots().at(-1) as SyncMetrics };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_000);
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 160, { "test-Army": army(2) })];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("the seed's metrics, in metrics() and in a sink's snapshots", () => {
  it("should report the last applied block time in seconds and as an ISO date", async () => {
    const { p, last } = await withSink();
    const expected = { seconds: 160, iso: "1970-01-01T00:02:40.000Z" };
    expect(p.metrics().lastApplied).toEqual(expected);
    expect(last().lastApplied).toEqual(expected);
    client.emit(rawEntity(1, 1_700_000_100, { "test-Army": army(5) }));
    await vi.advanceTimersByTimeAsync(100);
    expect(p.metrics().lastApplied).toEqual({ seconds: 1_700_000_100, iso: new Date(1_700_000_100_000).toISOString() });
    expect(last().lastApplied).toEqual(p.metrics().lastApplied);
  });

  it("should report replay durations: the last, p50 and p95", async () => {
    let delay = 100;
    client.beforePage = () => new Promise<void>((resolve) => setTimeout(resolve, delay));
    const { p, last } = await withSink({ guard: { replayPageLimit: 10 } });
    for (const ms of [300, 500]) {
      delay = ms;
      const done = p.forceReplay();
      await vi.advanceTimersByTimeAsync(2_000);
      await done;
    }
    const m = p.metrics();
    expect(m.replayDurationsMs).toEqual([100, 300, 500]);
    expect(m).toMatchObject({ lastReplayMs: 500, replayMsP50: 300, replayMsP95: 500, replays: 3 });
    expect(last()).toMatchObject({ lastReplayMs: 500, replayMsP50: 300, replayMsP95: 500, replays: 3 });
  });

  it("should report the connection state and the status", async () => {
    const { p, snapshots, last } = await withSink({}, false);
    void p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(snapshots().some((m) => m.connection === "connecting" || m.status === "replaying")).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.metrics()).toMatchObject({ connection: "open", status: "streaming" });
    expect(last()).toMatchObject({ connection: "open", status: "streaming" });
  });

  it("should count drops by reason, a stale update included", async () => {
    const { p, last } = await withSink();
    client.emit(rawEntity(2, 150, { "test-Army": army(9) }));
    client.emit(rawEntity(3, 200, { "other-Quest": { id: ty.u32(1) } }));
    await vi.advanceTimersByTimeAsync(100);
    expect(p.metrics().droppedByReason.stale).toBe(1);
    expect(p.metrics().droppedByReason.unknown_model).toBe(1);
    expect(last().droppedByReason).toEqual(p.metrics().droppedByReason);
  });

  it("should count gap signals", async () => {
    const { p, last } = await withSink();
    client.emit(ZERO_ENTITY);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.metrics().gaps).toBe(1);
    expect(last().gaps).toBe(1);
  });

  it("should show the queue's depth and high-water mark while stream updates wait behind a snapshot", async () => {
    const { p, snapshots, last } = await withSink();
    let release: () => void = () => undefined;
    client.beforePage = () => new Promise<void>((resolve) => (release = resolve));
    const done = p.forceReplay();
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 3; i += 1) client.emit(rawEntity(10 + i, 300, { "test-Army": army(i) }));
    expect(p.metrics().queueDepth).toBe(3);
    client.beforePage = undefined;
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    // Published while the buffer held them (the page's progress), then drained.
    expect(snapshots().some((m) => m.queueDepth === 3)).toBe(true);
    expect(p.metrics().queueDepth).toBe(0);
    expect(last().queueDepth).toBe(0);
    expect(p.metrics().queueHighWater).toBeGreaterThanOrEqual(3);
    expect(last().queueHighWater).toBe(p.metrics().queueHighWater);
  });

  it("should count probes by outcome and keep the indexer head the last probe read", async () => {
    Object.assign(client, { getContracts: async () => [{ head: 4_242, last_block_timestamp: 1_700_000_000 }] });
    const { p, last } = await withSink({ guard: { heartbeatTimeoutMs: 30_000, heartbeatCheckIntervalMs: 5_000 } });
    expect(p.metrics().probes).toBe(0);
    await vi.advanceTimersByTimeAsync(40_000);
    const m = p.metrics();
    expect(m.probes).toBeGreaterThanOrEqual(1);
    expect(m.probesByOutcome.healthy).toBe(m.probes);
    expect(m.indexerHead).toEqual({ block: 4_242, timestamp: 1_700_000_000 });
    expect(last()).toMatchObject({ probes: m.probes, probesByOutcome: m.probesByOutcome, indexerHead: m.indexerHead });
  });

  it("should publish a probe's outcome to the store as soon as it is known", async () => {
    const { p, last } = await withSink({ guard: { heartbeatTimeoutMs: 30_000, heartbeatCheckIntervalMs: 5_000 } });
    await vi.advanceTimersByTimeAsync(40_000);
    expect(p.metrics().probesByOutcome.healthy).toBeGreaterThanOrEqual(1);
    expect(last().probesByOutcome).toEqual(p.metrics().probesByOutcome);
  });

  it("should report the lag a probe measured, and 0 once a replay caught up", async () => {
    let newest = 160;
    const fetch = (async () => new Response(JSON.stringify([{ newest, n: 2 }]))) as unknown as typeof globalThis.fetch;
    const { p, snapshots, last } = await withSink({ toriiUrl: "http://127.0.0.1:1", fetch, guard: { heartbeatTimeoutMs: 30_000, heartbeatCheckIntervalMs: 5_000 } });
    expect(p.metrics().lagMs).toBe(0);
    // The server's newest write in the scope is 42 s newer than anything received, and the replay cannot reach it yet.
    newest = 202;
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 202, { "test-Army": army(3) })];
    let release: () => void = () => undefined;
    client.beforePage = () => new Promise<void>((resolve) => (release = resolve));
    await vi.advanceTimersByTimeAsync(36_000);
    expect(p.metrics().lagMs).toBe(42_000);
    expect(last().lagMs).toBe(42_000);
    client.beforePage = undefined;
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.getState().status).toBe("streaming");
    expect(p.metrics().lagMs).toBe(0);
    expect(last().lagMs).toBe(0);
    expect(snapshots().map((m) => m.lagMs)).toContain(42_000);
  });

  it("should count the times the replay budget was spent", async () => {
    const { p, last } = await withSink();
    client.getEntities = () => Promise.reject("torii: down");
    void p.forceReplay();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(p.getState().status).toBe("error");
    expect(p.metrics().budgetSpent).toBe(1);
    expect(last().budgetSpent).toBe(1);
  });

  it("should flatten every seed figure into PostHog properties", async () => {
    Object.assign(client, { getContracts: async () => [{ head: 7, last_block_timestamp: 1_700_000_000 }] });
    const { p } = await withSink({ guard: { heartbeatTimeoutMs: 30_000, heartbeatCheckIntervalMs: 5_000 } });
    client.emit(rawEntity(2, 150, { "test-Army": army(9) }));
    await vi.advanceTimersByTimeAsync(40_000);
    const m = p.metrics();
    const props = metricsProperties(m, p.getState());
    expect(props).toMatchObject({
      queue_depth: m.queueDepth,
      queue_high_water: m.queueHighWater,
      dropped_stale: m.droppedStale,
      dropped_total: Object.values(m.droppedByReason).reduce((a, b) => a + b, 0),
      last_applied_seconds: 160,
      last_applied_iso: "1970-01-01T00:02:40.000Z",
      replay_ms_p50: m.replayMsP50,
      replay_ms_p95: m.replayMsP95,
      last_replay_ms: m.lastReplayMs,
      connection: "open",
      status: "streaming",
      lag_ms: 0,
      indexer_head_block: 7,
      indexer_head_timestamp: 1_700_000_000,
      probes: m.probes,
      probes_healthy: m.probesByOutcome.healthy,
      gaps: 0,
      budget_spent: 0,
    });
    for (const [reason, count] of Object.entries(m.droppedByReason)) expect(props[`dropped_${reason}`]).toBe(count);
    // Flat values only: PostHog filters and charts them as they are.
    for (const value of Object.values(props)) expect(["string", "number", "boolean"].includes(typeof value) || value === null).toBe(true);
  });
});
