import { createWorld } from "@dojoengine/recs";
import type { SyncEventType } from "../../src/core/events";
import type { SyncMetrics } from "../../src/core/metrics";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { SyncStatus } from "../../src/core/state";
import { createMetricsSink, type MetricsSinkRecord } from "../../src/telemetry/metrics-sink";
import type { ToriiClientLike } from "../../src/torii/client-types";
import { connectToriiClient, createRng, defineBlitzComponents, startFakeTorii, waitFor, type FakeTorii, type WasmToriiClient } from "../../src/testing/index";
import { diffWorld } from "../../test/support/compare-world";

export interface SoakOptions {
  readonly seconds: number;
  readonly seed: number;
  /** Called with a progress line every couple of seconds. */
  readonly progress?: (line: string) => void;
}

export interface SoakReport {
  readonly seconds: number;
  readonly seed: number;
  readonly blocks: number;
  /** World changes the server published (each one reaches the client as one stream message when nothing is lost). */
  readonly updatesSent: number;
  readonly received: number;
  readonly applied: number;
  readonly droppedStale: number;
  readonly rejected: number;
  readonly replays: number;
  readonly gaps: number;
  readonly evidence: Readonly<Record<string, number>>;
  readonly chaosEvents: Readonly<Record<string, number>>;
  readonly disruptions: number;
  /** Times the replay budget was spent and the simulated player pressed "Try again". */
  readonly userRetries: number;
  /** Longest time from leaving `streaming` to being back, ms. */
  readonly longestRecoveryMs: number;
  /** Silent stalls (hold and drop) started, and how long each took to be detected (the status leaving streaming), ms. */
  readonly stalls: number;
  readonly stallDetectionMs: readonly number[];
  /** Times the replay budget was spent (the status reached error). */
  readonly budgetSpent: number;
  /** Events the sink received, by kind. */
  readonly eventsByKind: Readonly<Partial<Record<SyncEventType, number>>>;
  /** The sink's last metrics snapshot (taken after the final replay): the figures below come from it. */
  readonly metrics: SyncMetrics;
  readonly finalStatus: SyncStatus;
  readonly compared: number;
  /** Entity × models where RECS and the server differ at the end: must be 0. */
  readonly difference: number;
  readonly mismatches: readonly string[];
}

type ChaosAct = "reorder" | "duplicates" | "stall" | "holdStall" | "break" | "pageFailures" | "slowPages" | "calm";
const ACTS: readonly ChaosAct[] = ["reorder", "duplicates", "stall", "holdStall", "break", "pageFailures", "slowPages", "calm"];

/** A silent stall in progress: when it began, and whether the guard has noticed yet. */
interface StallWatch {
  startedAt: number | undefined;
  readonly detections: number[];
  count: number;
}

/**
 * The real wasm client and the pipeline against the fake Torii, with a seeded chaos schedule: reorder, duplicates,
 * silent stalls, broken connections, failing and slow pages, and one server restart. Ends quiet, replays once and
 * compares every entity × model of RECS with the server.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const say = options.progress ?? (() => undefined);
  const rng = createRng(options.seed);
  const fake: FakeTorii = await startFakeTorii({ seed: options.seed, world: { seed: options.seed } });
  let client: WasmToriiClient | undefined;
  let updatesSent = 0;
  const unsubscribeWorld = fake.world.subscribe({
    onChange: () => {
      updatesSent += 1;
    },
  });
  const chaosEvents: Record<string, number> = {};
  let disruptions = 0;
  let userRetries = 0;
  let longestRecoveryMs = 0;
  let leftStreamingAt: number | undefined;
  let budgetSpent = 0;
  const stall: StallWatch = { startedAt: undefined, detections: [], count: 0 };
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  let cancelPipeline: () => void = () => undefined;
  const eventsByKind: Partial<Record<SyncEventType, number>> = {};
  let lastSnapshot: SyncMetrics | undefined;
  let forceReplay: () => void = () => undefined;
  const onRecord = (record: MetricsSinkRecord): void => {
    if (record.kind === "snapshot") {
      lastSnapshot = record.metrics;
      return;
    }
    const { event } = record;
    eventsByKind[event.type] = (eventsByKind[event.type] ?? 0) + 1;
    if (event.type !== "state" || event.state.status === event.previous.status) return;
    const { state, previous, at: now } = event;
    if (state.status === "error" || state.status === "lagging") say(`[soak] ${previous.status} → ${state.status}: ${state.reason}`);
    // Nothing replays by itself in error: the player presses "Try again" on the HardReloadPrompt, 2 s later.
    if (state.status === "error") {
      budgetSpent += 1;
      timers.push(
        setTimeout(() => {
          userRetries += 1;
          forceReplay();
        }, 2_000),
      );
    }
    if (previous.status === "streaming") {
      disruptions += 1;
      leftStreamingAt = now;
      if (stall.startedAt !== undefined) {
        stall.detections.push(now - stall.startedAt);
        stall.startedAt = undefined;
      }
    }
    if (state.status === "streaming" && leftStreamingAt !== undefined) {
      longestRecoveryMs = Math.max(longestRecoveryMs, now - leftStreamingAt);
      leftStreamingAt = undefined;
    }
  };
  const sink = createMetricsSink(onRecord, { intervalMs: 1_000 });
  try {
    client = await connectToriiClient(fake);
    const components = defineBlitzComponents(createWorld());
    const pipeline = createSyncPipeline({
      client: client as unknown as ToriiClientLike,
      world: createWorld(),
      components,
      worldAddresses: [fake.worldAddress],
      // The README's adoption: the URL the client was built with, nothing else about SQL.
      toriiUrl: fake.url,
      // Scaled down from the 30 s / 5 s defaults so a one-minute soak sees several stalls caught.
      guard: { heartbeatTimeoutMs: 2_000, heartbeatCheckIntervalMs: 500, maxReplayAttempts: 3, replayPageLimit: 40 },
      backoff: { baseMs: 200, maxMs: 2_000 },
      subscribeTimeoutMs: 5_000,
      // The soak reads the pipeline the way ops would: through a sink, its events and its snapshots. It says what it
      // saw itself: no `[sync-guard]` lines (printed by default when Node runs without NODE_ENV).
      sinks: [sink],
      logging: false,
    });
    cancelPipeline = () => pipeline.cancel();
    forceReplay = () => void pipeline.forceReplay();
    await pipeline.start();

    const endAt = Date.now() + options.seconds * 1000;
    const restartAt = Date.now() + (options.seconds * 1000) / 2;
    let restarted = false;
    let nextAct = Date.now() + 3_000;
    let nextProgress = Date.now() + 2_000;
    let blocks = 0;
    while (Date.now() < endAt) {
      fake.world.step(1);
      blocks += 1;
      const now = Date.now();
      if (!restarted && now >= restartAt) {
        restarted = true;
        chaosEvents.restart = (chaosEvents.restart ?? 0) + 1;
        await fake.restart({ downtimeMs: 500 });
      } else if (now >= nextAct) {
        const act = rng.pick(ACTS);
        chaosEvents[act] = (chaosEvents[act] ?? 0) + 1;
        applyChaos(fake, act, timers, stall);
        nextAct = now + 2_000 + rng.int(0, 3_000);
      }
      if (now >= nextProgress && lastSnapshot !== undefined) {
        const m = lastSnapshot;
        say(
          `[soak] ${Math.round((endAt - now) / 1000)}s left · ${pipeline.getState().status} · blocks ${blocks} · sent ${updatesSent} · received ${m.received} · applied ${m.applied} · stale ${m.droppedStale} · replays ${m.replays} · gaps ${m.gaps}`,
        );
        nextProgress = now + 2_000;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Quiet: no more chaos, no more blocks; let the guard finish what it started, then one replay.
    for (const timer of timers) clearTimeout(timer);
    fake.chaos.reset();
    fake.chaos.resume();
    await waitFor(() => pipeline.getState().status === "streaming" || pipeline.getState().status === "error", { timeoutMs: 60_000, intervalMs: 50 });
    await pipeline.forceReplay();
    const diff = diffWorld(fake.world.entities(), components);
    sink.flush();
    const m = lastSnapshot ?? pipeline.metrics();
    const report: SoakReport = {
      seconds: options.seconds,
      seed: options.seed,
      blocks,
      updatesSent,
      received: m.received,
      applied: m.applied,
      droppedStale: m.droppedStale,
      rejected: m.rejected,
      replays: m.replays,
      gaps: m.gaps,
      evidence: { ...m.evidence } as Record<string, number>,
      chaosEvents,
      disruptions,
      userRetries,
      longestRecoveryMs,
      stalls: stall.count,
      stallDetectionMs: stall.detections,
      budgetSpent,
      eventsByKind: { ...eventsByKind },
      metrics: m,
      finalStatus: m.status,
      compared: diff.compared,
      difference: diff.mismatches.length,
      mismatches: diff.mismatches.slice(0, 20),
    };
    return report;
  } finally {
    // Whatever happened (a throw included), nothing is left running: pipeline, timers, client, server.
    cancelPipeline();
    for (const timer of timers) clearTimeout(timer);
    unsubscribeWorld();
    client?.free();
    await fake.close();
  }
}

function applyChaos(fake: FakeTorii, act: ChaosAct, timers: Array<ReturnType<typeof setTimeout>>, stall: StallWatch): void {
  const later = (ms: number, undo: () => void): void => {
    timers.push(setTimeout(undo, ms));
  };
  const silence = (mode: "hold" | "drop"): void => {
    // Open but silent while the world goes on changing arbitrary entities: only the liveness probe can tell.
    fake.chaos.stall({ mode });
    stall.count += 1;
    stall.startedAt = Date.now();
    later(4_000, () => {
      fake.chaos.resume();
      stall.startedAt = undefined;
    });
  };
  switch (act) {
    case "reorder":
      fake.chaos.set({ reorderWindow: 6, reorderFlushMs: 30, jitterMs: 20 });
      later(2_000, () => fake.chaos.set({ reorderWindow: 0, jitterMs: 0 }));
      return;
    case "duplicates":
      fake.chaos.set({ duplicateProbability: 0.3 });
      later(2_000, () => fake.chaos.set({ duplicateProbability: 0 }));
      return;
    case "stall":
      // Messages are lost.
      silence("drop");
      return;
    case "holdStall":
      // Messages are held, then delivered late on resume (stale by then).
      silence("hold");
      return;
    case "break":
      fake.chaos.breakConnections();
      return;
    case "pageFailures":
      fake.chaos.failNextPages(2, { message: "soak: indexer hiccup" });
      fake.chaos.breakConnections();
      return;
    case "slowPages":
      fake.chaos.slowNextPages(3, 300);
      fake.chaos.breakConnections();
      return;
    case "calm":
      return;
  }
}

export function formatSoakReport(report: SoakReport): string {
  const lines = [
    `## Chaos soak: ${report.seconds} s, seed ${report.seed}`,
    "",
    "| figure | value |",
    "|---|---:|",
    `| blocks | ${report.blocks} |`,
    `| updates sent by the server | ${report.updatesSent} |`,
    `| updates received by the pipeline (snapshots and duplicates included) | ${report.received} |`,
    `| entity-model changes applied | ${report.applied} |`,
    `| stale updates dropped | ${report.droppedStale} |`,
    `| rejected | ${report.rejected} |`,
    `| replays (boot and the final one included) | ${report.replays} |`,
    `| gap signals | ${report.gaps} |`,
    `| disruptions (left streaming) | ${report.disruptions} |`,
    `| longest time to recover | ${report.longestRecoveryMs} ms |`,
    `| silent stalls (hold and drop) | ${report.stalls}, ${report.stallDetectionMs.length} detected while silent |`,
    `| time from stall to detection, p50 / max | ${percentile(report.stallDetectionMs, 0.5)} ms / ${Math.max(0, ...report.stallDetectionMs)} ms |`,
    `| budget spent | ${report.budgetSpent} |`,
    `| replay duration p50 / p95 / last | ${report.metrics.replayMsP50 ?? 0} ms / ${report.metrics.replayMsP95 ?? 0} ms / ${report.metrics.lastReplayMs ?? 0} ms |`,
    `| last applied block time | ${report.metrics.lastApplied?.iso ?? "none"} |`,
    `| queue depth now / high water / overflows | ${report.metrics.queueDepth} / ${report.metrics.queueHighWater} / ${report.metrics.overflows} |`,
    `| dropped, by reason | ${listed(report.metrics.droppedByReason)} |`,
    `| probes, by outcome | ${report.metrics.probes}: ${listed(report.metrics.probesByOutcome)} |`,
    `| lag at the end | ${report.metrics.lagMs} ms |`,
    `| indexer head at the last probe | ${report.metrics.indexerHead === undefined ? "unknown" : `block ${report.metrics.indexerHead.block}`} |`,
    `| events seen by the sink | ${listed(report.eventsByKind)} |`,
    `| player pressed "Try again" | ${report.userRetries} |`,
    `| chaos | ${Object.entries(report.chaosEvents).map(([k, v]) => `${k} ${v}`).join(", ")} |`,
    `| evidence acted on | ${listed(report.evidence)} |`,
    `| final status | ${report.finalStatus} |`,
    `| entity-models compared at the end | ${report.compared} |`,
    `| **difference between RECS and the server** | **${report.difference}** |`,
  ];
  if (report.mismatches.length > 0) lines.push("", "First differences:", ...report.mismatches.map((m) => `- ${m}`));
  return lines.join("\n");
}

/** `a 1, b 2` for the non-zero counts, or "none". */
function listed(counts: Readonly<Record<string, number | undefined>>): string {
  return (
    Object.entries(counts)
      .filter(([, n]) => (n ?? 0) > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none"
  );
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}
