const TIMEOUT_MS = 60_000;
/** How often the condition is read besides the notifications: a safety net, not the clock of the measurement. */
const POLL_MS = 20;

/**
 * Resolve once `done()` holds: read right away, on every call of the notification `subscribe` hands out, and every
 * POLL_MS in case a notification is missed. Rejects after a minute: a condition that never holds is a broken run,
 * not a slow one.
 */
export function waitUntil(done: () => boolean, what: string, subscribe?: (listener: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + TIMEOUT_MS;
    let finished = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe: () => void = () => undefined;
    const finish = (error?: Error): void => {
      finished = true;
      clearTimeout(timer);
      unsubscribe();
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = (): void => {
      if (finished) return;
      if (done()) finish();
      else if (performance.now() > deadline) finish(new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`));
    };
    const poll = (): void => {
      check();
      if (!finished) timer = setTimeout(poll, POLL_MS);
    };
    if (subscribe !== undefined) unsubscribe = subscribe(check);
    poll();
  });
}
