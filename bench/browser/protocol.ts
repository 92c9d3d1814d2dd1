/** What the bench page exposes on `window.__burstBench`, and what it answers: shared by the page and the Node driver. */

export type PageRunKind = "naive" | "ours" | "ours-framed";

/** `performance.mark` names at the first update handed over and once the run is over: they bound a run in a trace. */
export const RUN_MARKS = { start: "burst-bench:start", end: "burst-bench:end" } as const;

export interface PageFacts {
  readonly updates: number;
  readonly entities: number;
  readonly models: number;
  readonly late: number;
  readonly entityModelsChanged: number;
  readonly frame: number;
  /** Whether `gc()` was there (Chromium launched with --js-flags=--expose-gc): collected before each run. */
  readonly gc: boolean;
  readonly userAgent: string;
  readonly workloadMs: number;
}

/** Gaps between runs of a 1 ms timer on the page: a task of B ms shows as a gap of about B (up to a period more). */
export interface PageGaps {
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly samples: number;
}

export interface PageRun {
  readonly kind: PageRunKind;
  /** First update handed over → queue empty (ours) or last `setEntities` resolved (naive). */
  readonly ms: number;
  readonly writes: number;
  readonly stale: number;
  /** PerformanceObserver 'longtask' entries (tasks of 50 ms or more) that began within the run. */
  readonly longTasks: number;
  readonly longestLongTaskMs: number;
  /** The gap probe, when the run was probed (a separate run from the timed ones). */
  readonly gaps: PageGaps | undefined;
  /** Updates naive's `setEntities` lost to a throw (caught and logged by it). */
  readonly swallowed: number;
}

export interface BurstBenchPage {
  prepare(): PageFacts;
  run(kind: PageRunKind, probe: boolean): Promise<PageRun>;
}

declare global {
  interface Window {
    __burstBench?: BurstBenchPage;
  }
}
