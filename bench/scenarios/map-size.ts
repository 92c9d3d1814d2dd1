import { getHeapStatistics } from "node:v8";
import type { MapProjection } from "../../src/map/index";
import { heapUsedAfterGc } from "../measure/heap";
import { checkProjection, checkRescan, type MapCheck } from "../measure/map-check";
import { now, startClocks } from "../measure/timing";
import { applyWrites, armiesOf, buildMap, armyProjection, createArmyWorld, materialise, rescanMap, type ArmyComponent, type ArmyWorld } from "../pipelines/map-world";
import type { ClockHooks } from "../pipelines/run-result";
import { createMapWorkload, MAP_DEFAULTS, type BatchMix } from "../workload/map";
import type { Rounds } from "./rounds";

/** How often each part is repeated at one size. */
export interface MapSizePlan {
  readonly entities: number;
  /** `start()` on the filled world; each run builds a new projection (the last one is kept for the batches). */
  readonly build: Rounds;
  /** Batches of changes, each applied to both worlds. */
  readonly batches: Rounds;
  /** Naive rebuilds by `runQuery([Has])` + `getComponentValue`. */
  readonly rescans: Rounds;
  /** Single `runQuery([HasValue(owner)])` scans. */
  readonly hasValue: Rounds;
}

/** Raw figures of one size, as measured (JSON: the child process hands them to the parent). */
export interface MapSizeResult {
  readonly entities: number;
  readonly side: number;
  readonly changesPerBatch: number;
  readonly plan: MapSizePlan;
  /** Summed over the measured batches. */
  readonly mix: BatchMix;
  /** Heap of the Army component's storage in RECS for one world (ids and their symbols excluded: shared). */
  readonly recsBytes: number;
  readonly fillMs: number;
  /** `heldBytes`: the first build only (see runMapSize). */
  readonly build: { readonly ms: readonly number[]; readonly heldBytes: readonly number[] };
  readonly batches: {
    readonly withMs: readonly number[];
    readonly withoutMs: readonly number[];
    readonly withCpuMs: readonly number[];
    readonly withoutCpuMs: readonly number[];
  };
  /** Listener calls per batch: fewest and most seen over every batch, warm-up included. */
  readonly notifications: { readonly min: number; readonly max: number };
  readonly check: MapCheck & { readonly ms: number };
  readonly rescanMs: readonly number[];
  readonly rescanTiles: number;
  readonly hasValueMs: readonly number[];
  readonly hasValueMatched: number;
  readonly heapLimitBytes: number;
  /** Highest `heapUsed` sampled between phases, garbage not yet collected included: how close the process came to its limit. */
  readonly peakHeapBytes: number;
  readonly durationS: number;
}

/** The flush the projection promises: its commit runs in the microtask queued by the batch's first change. */
const flush = (): Promise<void> => new Promise<void>((resolve) => queueMicrotask(resolve));

async function timeBatch(Army: ArmyComponent, writes: Parameters<typeof applyWrites>[1]): Promise<{ ms: number; cpuMs: number }> {
  const stop = startClocks();
  applyWrites(Army, writes);
  await flush();
  return stop();
}

export interface MapSizeOptions {
  /** Around the measured batches only (with and without the projection alike): for a CPU profile. */
  readonly batchHooks?: ClockHooks;
  /** Skip the rescans and HasValue scans (the profiler does not need them). */
  readonly skipBaseline?: boolean;
  /** The projection to measure; src/map's `defineMapProjection` unless a candidate implementation is being sized against the same workload. */
  readonly defineProjection?: (Army: ArmyComponent) => MapProjection;
}

/**
 * One size, start to end: two identical worlds (A with the projection, B without), the projection built on A, then
 * batches applied to both (in alternating order, so drift falls on both alike), then the check, then the naive
 * baseline on B with A dropped (the rescans do not pay for a projection they would not have).
 */
export async function runMapSize(plan: MapSizePlan, log: (line: string) => void, options: MapSizeOptions = {}): Promise<MapSizeResult> {
  const started = now();
  let peakHeap = 0;
  const sampleHeap = (): void => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const size = plan.entities.toLocaleString("en-US");
  const workload = createMapWorkload({ ...MAP_DEFAULTS, entities: plan.entities });
  const { truth, ids } = workload;
  const K = workload.config.changesPerBatch;

  let fillStarted = now();
  let a: ArmyWorld | undefined = createArmyWorld(workload);
  const fillMs = now() - fillStarted;
  const beforeB = heapUsedAfterGc();
  fillStarted = now();
  const b = createArmyWorld(workload);
  const recsBytes = heapUsedAfterGc() - beforeB;
  sampleHeap();
  log(`  ${size}: two worlds filled (${fillMs.toFixed(0)} ms, ${(now() - fillStarted).toFixed(0)} ms), grid ${workload.side}×${workload.side}`);

  // Build: start() on the filled world A. Heap held = heap after (the projection alive) − heap before it existed.
  const buildMs: number[] = [];
  const heldBytes: number[] = [];
  let projection: MapProjection | undefined;
  const buildRuns = plan.build.warmup + plan.build.measured;
  for (let run = 0; run < buildRuns; run += 1) {
    projection?.stop();
    projection = undefined;
    const before = heapUsedAfterGc();
    const candidate = (options.defineProjection ?? armyProjection)(a.Army);
    const t0 = now();
    // Until the snapshot maps every army: the build may run in slices after start() returns.
    await buildMap(candidate, plan.entities);
    const ms = now() - t0;
    const held = heapUsedAfterGc() - before;
    sampleHeap();
    if (candidate.getSnapshot().counts.armies !== plan.entities) throw new Error(`start() mapped ${candidate.getSnapshot().counts.armies} of ${plan.entities} armies`);
    if (run >= plan.build.warmup) buildMs.push(ms);
    // Only the first build's heap counts: after it, the heap may still hold a stopped projection when "before" is
    // taken and free it during the next build, so later differences read about 0 (seen since the map stopped
    // queueing a redundant microtask per build).
    if (run === 0) heldBytes.push(held);
    projection = candidate;
    log(`  ${size}: build ${run + 1}/${buildRuns}${run < plan.build.warmup ? " (warm-up)" : ""}: ${ms.toFixed(0)} ms, ${(held / 2 ** 20).toFixed(1)} MiB held`);
  }
  if (projection === undefined) throw new Error("no build run");
  const mapped: MapProjection = projection;
  let notified = 0;
  const unsubscribe = mapped.subscribe(() => {
    notified += 1;
  });

  // Batches: the same planned changes on both worlds, each with its own fresh id strings, built before the clock.
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  const withCpuMs: number[] = [];
  const withoutCpuMs: number[] = [];
  const mix: BatchMix = { moves: 0, ownerChanges: 0, removals: 0, recreations: 0 };
  const notifications = { min: Number.POSITIVE_INFINITY, max: 0 };
  const batchRuns = plan.batches.warmup + plan.batches.measured;
  const withProjection = async (writes: Parameters<typeof applyWrites>[1], army: ArmyComponent): Promise<{ ms: number; cpuMs: number }> => {
    const version = mapped.getSnapshot().version;
    const notifiedBefore = notified;
    const timed = await timeBatch(army, writes);
    const calls = notified - notifiedBefore;
    notifications.min = Math.min(notifications.min, calls);
    notifications.max = Math.max(notifications.max, calls);
    if (mapped.getSnapshot().version !== version + 1) throw new Error(`one batch moved the snapshot from version ${version} to ${mapped.getSnapshot().version}, not by one`);
    return timed;
  };
  for (let batch = 0; batch < batchRuns; batch += 1) {
    const measured = batch >= plan.batches.warmup;
    if (batch === plan.batches.warmup) await options.batchHooks?.beforeClock();
    const planned = workload.nextBatch();
    const writesA = materialise(planned.changes, ids);
    const writesB = materialise(planned.changes, ids);
    const armyA = a.Army;
    let ours: { ms: number; cpuMs: number };
    let recsOnly: { ms: number; cpuMs: number };
    if (batch % 2 === 0) {
      ours = await withProjection(writesA, armyA);
      recsOnly = await timeBatch(b.Army, writesB);
    } else {
      recsOnly = await timeBatch(b.Army, writesB);
      ours = await withProjection(writesA, armyA);
    }
    if (!measured) continue;
    withMs.push(ours.ms);
    withCpuMs.push(ours.cpuMs);
    withoutMs.push(recsOnly.ms);
    withoutCpuMs.push(recsOnly.cpuMs);
    mix.moves += planned.mix.moves;
    mix.ownerChanges += planned.mix.ownerChanges;
    mix.removals += planned.mix.removals;
    mix.recreations += planned.mix.recreations;
  }
  await options.batchHooks?.afterClock();
  sampleHeap();
  const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
  log(`  ${size}: ${batchRuns} batches of ${K} changes: ${((sum(withMs) / withMs.length / K) * 1000).toFixed(2)} µs per change with the projection, ${((sum(withoutMs) / withoutMs.length / K) * 1000).toFixed(2)} without`);

  // Check: the projection against a from-scratch rescan of A, and that rescan against the plan.
  const checkStarted = now();
  const reference = rescanMap(a.Army);
  checkRescan(reference, truth, ids);
  const check = checkProjection(mapped.getSnapshot(), reference);
  const checkMs = now() - checkStarted;
  sampleHeap();
  log(`  ${size}: projection equals a from-scratch rebuild (${check.items} items, ${check.tiles} tiles) — checked in ${checkMs.toFixed(0)} ms`);
  unsubscribe();
  mapped.stop();
  projection = undefined;
  a.world.dispose();
  a = undefined;

  // The naive baseline, on B alone.
  const rescanMs: number[] = [];
  const hasValueMs: number[] = [];
  let rescanTiles = 0;
  let hasValueMatched = 0;
  if (options.skipBaseline !== true) {
    heapUsedAfterGc();
    for (let run = 0; run < plan.rescans.warmup + plan.rescans.measured; run += 1) {
      const t0 = now();
      const naive = rescanMap(b.Army);
      const ms = now() - t0;
      if (run === 0) checkRescan(naive, truth, ids);
      rescanTiles = naive.tiles.size;
      if (run >= plan.rescans.warmup) rescanMs.push(ms);
    }
    log(`  ${size}: naive rescan ${rescanMs.map((ms) => ms.toFixed(0)).join(", ")} ms`);
    const owner = truth.owners[0] as bigint;
    for (let run = 0; run < plan.hasValue.warmup + plan.hasValue.measured; run += 1) {
      const t0 = now();
      hasValueMatched = armiesOf(b.Army, owner);
      const ms = now() - t0;
      if (run >= plan.hasValue.warmup) hasValueMs.push(ms);
    }
  }
  b.world.dispose();

  return {
    entities: plan.entities,
    side: workload.side,
    changesPerBatch: K,
    plan,
    mix,
    recsBytes,
    fillMs,
    build: { ms: buildMs, heldBytes },
    batches: { withMs, withoutMs, withCpuMs, withoutCpuMs },
    notifications,
    check: { ...check, ms: checkMs },
    rescanMs,
    rescanTiles,
    hasValueMs,
    hasValueMatched,
    heapLimitBytes: heapLimit(),
    peakHeapBytes: peakHeap,
    durationS: (now() - started) / 1000,
  };
}

function heapLimit(): number {
  return getHeapStatistics().heap_size_limit;
}
