import type { Timers } from "../core/clock";

/** Calls `send` at most once per `intervalMs`: at once when the last call is that old, else once at the end of the wait. */
export interface Throttle {
  /** Something changed: send now, or once the interval since the last send has passed. */
  request(): void;
  /** Stop; a pending trailing send is dropped (or run now with `flush`). */
  close(flush?: boolean): void;
}

/** `send` gets the clock reading the interval is counted from, so what it stamps is what the throttle measured. */
export function createThrottle(intervalMs: number, timers: Timers, send: (at: number) => void): Throttle {
  let lastSent: number | undefined;
  let timer: unknown;
  let closed = false;
  const fire = (): void => {
    timer = undefined;
    const at = timers.now();
    // A timer may fire a millisecond early by the clock (Node caches its loop time): wait out the rest.
    if (lastSent !== undefined && at < lastSent + intervalMs) {
      timer = timers.setTimeout(fire, lastSent + intervalMs - at);
      return;
    }
    lastSent = at;
    send(at);
  };
  return {
    request() {
      if (closed || timer !== undefined) return;
      const wait = lastSent === undefined ? 0 : lastSent + intervalMs - timers.now();
      if (wait <= 0) fire();
      else timer = timers.setTimeout(fire, wait);
    },
    close(flush = false) {
      if (closed) return;
      closed = true;
      if (timer === undefined) return;
      timers.clearTimeout(timer);
      timer = undefined;
      if (flush) {
        lastSent = timers.now();
        send(lastSent);
      }
    },
  };
}
