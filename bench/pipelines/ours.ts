import { createWorld } from "@dojoengine/recs";
import { createSyncPipeline, type SyncMetrics, type SyncPipeline } from "../../src/sync/index";
import { heapUsedAfterGc } from "../measure/heap";
import { everyMs, waitUntil } from "../measure/wait";
import { countStale, countWrites } from "../measure/recs-probe";
import { nextMacrotask, now, startClocks } from "../measure/timing";
import type { Workload } from "../workload/burst";
import { defineBenchComponents } from "../workload/models";
import { countingTimers } from "./counting-timers";
import { BenchToriiClient } from "./memory-client";
import type { ClockHooks, RunResult } from "./run-result";

export interface OursOptions {
  /**
   * Updates handed over per macrotask; undefined hands over all of them in one task (a burst that outruns the queue's
   * debounce). A frame size lets the drain interleave with arrivals, as when messages come off the network in chunks.
   */
  readonly frameSize?: number;
  /** Called just outside the clock, e.g. to start and stop a CPU profile around exactly the timed part. */
  readonly hooks?: ClockHooks;
}

export interface OursRun extends RunResult {
  /** Time spent inside the subscription callback (normalise, version, enqueue) until the last update was handed over. */
  readonly ingestMs: number;
  /** Times the drain yielded to the event loop (zero-delay timers). */
  readonly drainYields: number;
  readonly metrics: Pick<SyncMetrics, "received" | "applied" | "droppedStale" | "compacted" | "rejected" | "queueHighWater" | "overflows" | "heldIncomplete">;
}

/**
 * Our pipeline with its defaults, booted on an empty snapshot; then every update goes through the client's
 * subscription callback, and the clock stops once the queue is empty. The stale check afterwards would catch a clock
 * stopped early: anything not yet applied shows up as stale.
 */
export async function runOurs(workload: Workload, options: OursOptions = {}): Promise<OursRun> {
  const baseline = heapUsedAfterGc();
  const world = createWorld();
  const components = defineBenchComponents(world, workload.models);
  const client = new BenchToriiClient();
  const timers = countingTimers();
  const pipeline = createSyncPipeline({ client, world, components, timers, logging: false });
  await pipeline.start();
  const writes = countWrites(components);
  timers.reset();

  await options.hooks?.beforeClock();
  const started = now();
  const stop = startClocks();
  const { arrivals } = workload;
  const frame = options.frameSize ?? arrivals.length;
  for (let offset = 0; offset < arrivals.length; offset += frame) {
    const end = Math.min(offset + frame, arrivals.length);
    for (let index = offset; index < end; index += 1) client.emit(arrivals[index]);
    if (end < arrivals.length) await nextMacrotask();
  }
  const ingestMs = now() - started;
  await drained(pipeline);
  const { ms, cpuMs } = stop();
  await options.hooks?.afterClock();

  const heapUsedAfter = heapUsedAfterGc();
  const { stale, checked } = countStale(components, workload.truth, workload.ids.padded);
  const { received, applied, droppedStale, compacted, rejected, queueHighWater, overflows, heldIncomplete } = pipeline.metrics();
  writes.stop();
  pipeline.cancel();
  world.dispose();
  return {
    ms,
    cpuMs,
    ingestMs,
    writes: writes.count(),
    stale,
    checked,
    heapUsedAfter,
    heapRetained: heapUsedAfter - baseline,
    drainYields: timers.yields(),
    metrics: { received, applied, droppedStale, compacted, rejected, queueHighWater, overflows, heldIncomplete },
  };
}

/** A drain that has not finished by then is broken, not slow: fail the bench instead of waiting for ever. */
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Resolve once the queue is empty: on the pipeline's store notifications, and every millisecond as well (the store
 * skips a notification when two drain slices land within the same Date.now() millisecond).
 */
export function drained(pipeline: SyncPipeline): Promise<void> {
  return waitUntil(() => pipeline.metrics().queueDepth === 0, "the queue to empty", (listener) => pipeline.store.subscribe(listener), { timeoutMs: DRAIN_TIMEOUT_MS, schedule: everyMs(1) });
}
