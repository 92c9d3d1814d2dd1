import { statOf, type Stat } from "../measure/timing";
import type { RunResult } from "../pipelines/run-result";

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
