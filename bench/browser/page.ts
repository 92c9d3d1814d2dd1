// The bench page: the burst of scenario 1, run in Chromium by the web build of the SDK (bundled by Vite for
// production, like a game's bundle), side by side with the naive `@dojoengine/state` pipeline. Driven by
// scenarios/browser-burst.ts through `window.__burstBench`.
import { createWorld } from "@dojoengine/recs";
import { setEntities } from "@dojoengine/state/recs";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/index";
import { countStale, countWrites } from "../measure/recs-probe";
import { waitUntil } from "../measure/wait";
import { BenchToriiClient } from "../pipelines/memory-client";
import { BURST_DEFAULTS, createBurstWorkload, type BurstWorkload } from "../workload/burst";
import { entityModelsTouched } from "../workload/entities";
import { defineBenchComponents } from "../workload/models";
import { RUN_MARKS, type PageGaps, type PageRun, type PageRunKind } from "./protocol";
import { afterOneMs, nextTask } from "./tasks";

const FRAME = 1_000;
const DRAIN_TIMEOUT_MS = 30_000;


/** A 1 ms probe: the page's own gap measurement, the counterpart of Node's event-loop delay histogram. */
function startGapProbe(): () => PageGaps {
  const gaps: number[] = [];
  let last = performance.now();
  let running = true;
  const tick = (): void => {
    if (!running) return;
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    afterOneMs(tick);
  };
  afterOneMs(tick);
  return () => {
    running = false;
    gaps.push(performance.now() - last);
    const sorted = [...gaps].sort((a, b) => a - b);
    const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    return { maxMs: sorted[sorted.length - 1] ?? 0, p99Ms: at(0.99), p50Ms: at(0.5), samples: sorted.length };
  };
}

const longTasks: PerformanceEntry[] = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: "longtask", buffered: true });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const gc = (globalThis as { gc?: () => void }).gc;

let workload: BurstWorkload | undefined;

function prepare(): ReturnType<NonNullable<Window["__burstBench"]>["prepare"]> {
  const t0 = performance.now();
  workload = createBurstWorkload(BURST_DEFAULTS);
  return {
    updates: workload.arrivals.length,
    entities: BURST_DEFAULTS.entities,
    models: workload.models.length,
    late: workload.late,
    entityModelsChanged: entityModelsTouched(workload.arrivals),
    frame: FRAME,
    gc: gc !== undefined,
    userAgent: navigator.userAgent,
    workloadMs: performance.now() - t0,
  };
}

async function run(kind: PageRunKind, probe: boolean): Promise<PageRun> {
  if (workload === undefined) throw new Error("prepare() first");
  const { arrivals } = workload;
  gc?.();
  await sleep(20);
  const world = createWorld();
  const components = defineBenchComponents(world, workload.models);
  let pipeline: SyncPipeline | undefined;
  let client: BenchToriiClient | undefined;
  if (kind !== "naive") {
    client = new BenchToriiClient();
    pipeline = createSyncPipeline({ client, world, components, logging: false, inspector: false });
    await pipeline.start();
  }
  const writes = countWrites(components);
  const warn = console.warn;
  let swallowed = 0;
  console.warn = () => {
    swallowed += 1;
  };
  const stopProbe = probe ? startGapProbe() : undefined;
  if (stopProbe !== undefined) await sleep(5);
  // User-timing marks bound the run in a Chromium trace (the driver traces the probed rounds).
  performance.mark(RUN_MARKS.start);
  const started = performance.now();
  try {
    if (kind === "naive") {
      for (const entity of arrivals) await setEntities([entity], components);
    } else {
      const frame = kind === "ours-framed" ? FRAME : arrivals.length;
      for (let offset = 0; offset < arrivals.length; offset += frame) {
        const end = Math.min(offset + frame, arrivals.length);
        for (let index = offset; index < end; index += 1) (client as BenchToriiClient).emit(arrivals[index]);
        if (end < arrivals.length) await new Promise<void>((resolve) => nextTask(resolve));
      }
      await drained(pipeline as SyncPipeline);
    }
  } finally {
    console.warn = warn;
  }
  const ended = performance.now();
  performance.mark(RUN_MARKS.end);
  if (stopProbe !== undefined) await sleep(5);
  const gaps = stopProbe?.();
  // Long-task entries are delivered after their task: give the observer a turn.
  await sleep(50);
  const during = longTasks.filter((entry) => entry.startTime >= started - 1 && entry.startTime < ended);
  const ids = kind === "naive" ? workload.ids.minimal : workload.ids.padded;
  const { stale } = countStale(components, workload.truth, ids);
  writes.stop();
  pipeline?.cancel();
  world.dispose();
  return {
    kind,
    ms: ended - started,
    writes: writes.count(),
    stale,
    longTasks: during.length,
    longestLongTaskMs: Math.max(0, ...during.map((entry) => entry.duration)),
    gaps,
    swallowed,
  };
}

/** Resolve once the queue is empty: on the store's notification, and every ~1 ms in case one is skipped. */
function drained(pipeline: SyncPipeline): Promise<void> {
  return waitUntil(() => pipeline.metrics().queueDepth === 0, "the queue to empty", (listener) => pipeline.store.subscribe(listener), {
    timeoutMs: DRAIN_TIMEOUT_MS,
    schedule: (read) => {
      let live = true;
      afterOneMs(() => {
        if (live) read();
      });
      return () => {
        live = false;
      };
    },
  });
}

window.__burstBench = { prepare, run };
const status = document.getElementById("status");
if (status !== null) status.textContent = "ready";
