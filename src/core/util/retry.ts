import type { Timers } from "../clock";
import { backoffDelay, type BackoffConfig } from "../guard/backoff";

export interface RetryOptions {
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  readonly backoff?: Partial<BackoffConfig>;
  readonly timers: Timers;
  readonly random?: () => number;
  /** Checked before each retry: `false` stops retrying (the caller was stopped). */
  readonly shouldRetry?: () => boolean;
}

/** A wait that a cancel can cut short (resolving at once) and that leaves no timer behind. */
export interface Sleeper {
  sleep(ms: number): Promise<void>;
  /** Wake every sleeper now; returns whether any was asleep. */
  wakeAll(): boolean;
}

export function createSleeper(timers: Timers): Sleeper {
  const sleepers = new Map<unknown, () => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = timers.setTimeout(() => {
          sleepers.delete(timer);
          resolve();
        }, ms);
        sleepers.set(timer, resolve);
      }),
    wakeAll() {
      if (sleepers.size === 0) return false;
      for (const [timer, wake] of sleepers) {
        timers.clearTimeout(timer);
        wake();
      }
      sleepers.clear();
      return true;
    },
  };
}

/**
 * Run `work` until it succeeds or the attempts are spent, waiting `backoffDelay` between attempts (the one backoff of
 * the house: replays and the SQL map source both use it). Throws the last error.
 */
export async function retry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions, sleeper: Sleeper = createSleeper(options.timers)): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= options.attempts || options.shouldRetry?.() === false) throw error;
      await sleeper.sleep(backoffDelay(attempt, options.backoff ?? {}, options.random ?? Math.random));
      // A wait cut short by a stop: no more attempts.
      if (options.shouldRetry?.() === false) throw error;
    }
  }
}
