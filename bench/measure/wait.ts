export interface WaitOptions {
  /** Give up after this long: a condition that never holds is a broken run, not a slow one. @default 60_000 */
  readonly timeoutMs?: number;
  /**
   * How the next read is scheduled besides the notifications. A safety net by default (every 20 ms); where the wait
   * ends a measurement, every millisecond (the pipeline's store skips a notification when two drain slices land in
   * the same millisecond). @default a 20 ms timer
   */
  readonly schedule?: (read: () => void) => () => void;
}

const TIMEOUT_MS = 60_000;
/** A timer that reads again after `ms`; returns its cancel. */
export const everyMs =
  (ms: number) =>
  (read: () => void): (() => void) => {
    const timer = setTimeout(read, ms);
    return () => clearTimeout(timer);
  };

/**
 * Resolve once `done()` holds: read right away, on every call of the notification `subscribe` hands out, and on the
 * `schedule` in case a notification is missed; reject after `timeoutMs`.
 */
export function waitUntil(done: () => boolean, what: string, subscribe?: (listener: () => void) => () => void, options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const schedule = options.schedule ?? everyMs(20);
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs;
    let finished = false;
    let unsubscribe: () => void = () => undefined;
    let cancelRead: () => void = () => undefined;
    const finish = (error?: Error): void => {
      finished = true;
      cancelRead();
      unsubscribe();
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = (): void => {
      if (finished) return;
      if (done()) finish();
      else if (performance.now() > deadline) finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    };
    const poll = (): void => {
      check();
      if (!finished) cancelRead = schedule(poll);
    };
    if (subscribe !== undefined) unsubscribe = subscribe(check);
    poll();
  });
}
