/** What one timed run of one pipeline leaves behind. */
export interface RunResult {
  /** Wall time from the first update handed over until everything is in RECS. */
  readonly ms: number;
  /**
   * Process CPU time (user + system, all threads) over the same span. On a shared 2-core machine wall time includes
   * waiting for a core; CPU time does not, so the two together tell load from work.
   */
  readonly cpuMs: number;
  /** RECS writes seen on the components' `update$` streams. */
  readonly writes: number;
  readonly stale: number;
  readonly checked: number;
  /** Heap in use after the run, once garbage is collected, with the world (and pipeline) still alive. */
  readonly heapUsedAfter: number;
  /** heapUsedAfter minus the heap in use before the world was created: what the run keeps. */
  readonly heapRetained: number;
}

/** Run just before the clock starts and just after it stops (a CPU profile of exactly the timed part). */
export interface ClockHooks {
  readonly beforeClock: () => Promise<void>;
  readonly afterClock: () => Promise<void>;
}
