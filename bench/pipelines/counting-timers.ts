import { systemTimers, type Timers } from "../../src/core/clock";

export interface CountingTimers extends Timers {
  /** Yields of the drain to the event loop since the last reset (deferred callbacks, or zero-delay timers). */
  readonly yields: () => number;
  readonly reset: () => void;
}

/**
 * The SDK's own default timers, counted. Passed through the pipeline's public `timers` option so the report can say
 * how often the drain yielded; every call goes to `systemTimers`, so behaviour and clock are the defaults.
 */
export function countingTimers(): CountingTimers {
  let yields = 0;
  return {
    setTimeout: (callback, ms) => {
      if (ms === 0) yields += 1;
      return systemTimers.setTimeout(callback, ms);
    },
    clearTimeout: (handle) => systemTimers.clearTimeout(handle),
    now: () => systemTimers.now(),
    // The clock the SDK's slices read by default (performance.now): without it they would read Date.now(), whole
    // milliseconds, and size their strides and deadlines from that.
    monotonic: () => (systemTimers.monotonic as () => number)(),
    // Passed through so the drain yields the way it does by default (no timer clamp), counted like a yield.
    defer: (callback) => {
      yields += 1;
      (systemTimers.defer ?? ((cb: () => void) => systemTimers.setTimeout(cb, 0)))(callback);
    },
    yields: () => yields,
    reset: () => {
      yields = 0;
    },
  };
}
