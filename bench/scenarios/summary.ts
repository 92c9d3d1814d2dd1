import { statOf, type Stat } from "../measure/timing";
import type { RunResult } from "../pipelines/run-result";
import type { Column } from "../report/types";

/** The figures every pipeline row shares. */
export interface Summary {
  readonly time: Stat;
  readonly cpu: number;
  readonly rate: number;
  readonly writes: number;
  readonly stale: number;
  readonly heapAfter: number;
  readonly heapRetained: number;
}

/**
 * Medians over the measured runs; stale is the worst over every run, warm-up included, because correctness must hold
 * on a cold pipeline too.
 */
export function summarise(measured: readonly RunResult[], all: readonly RunResult[], updates: number): Summary {
  const time = statOf(measured.map((run) => run.ms));
  return {
    time,
    cpu: medianOf(measured, (run) => run.cpuMs),
    rate: updates / (time.median / 1000),
    writes: medianOf(measured, (run) => run.writes),
    stale: Math.max(...all.map((run) => run.stale)),
    heapAfter: medianOf(measured, (run) => run.heapUsedAfter),
    heapRetained: medianOf(measured, (run) => run.heapRetained),
  };
}

export function medianOf<T>(runs: readonly T[], pick: (run: T) => number): number {
  return statOf(runs.map(pick)).median;
}

/** The CPU column, which each pipeline scenario puts right after its time column. */
export const CPU_COLUMN: Column = { key: "cpu", label: "process CPU over that time, ms (all threads)", format: "ms" };

/** The columns of `Summary` (and the queue and callback figures) that every pipeline scenario shows, in this order. */
export const SUMMARY_COLUMNS: readonly Column[] = [
  { key: "rate", label: "updates/s", format: "rate" },
  { key: "writes", label: "RECS writes", format: "count" },
  { key: "stale", label: "stale entity-models (worst run)", format: "count" },
  { key: "peakQueue", label: "peak queue (entities)", format: "count" },
  { key: "heapAfter", label: "heap used after", format: "bytes" },
  { key: "heapRetained", label: "heap kept by the run", format: "bytes" },
  { key: "ingest", label: "of which in the callback, ms", format: "ms" },
];
