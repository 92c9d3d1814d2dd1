import { reportLater } from "../util/listeners";
import type { Sleeper } from "../util/retry";
/** One replay asked for: why, and whether the app forced it (the way out of `error`). */
export interface ReplayRequest {
  readonly reason: string;
  readonly forced: boolean;
}

export interface ReplaySchedulerHooks {
  /** Runs one replay episode (with its retries) to its end, whatever the outcome. */
  run(request: ReplayRequest): Promise<void>;
  /** After an episode: evidence that arrived while it ran and still needs a replay, if any. */
  next(): ReplayRequest | undefined;
  /** A queued request starts now, after whatever evidence arrived during the episode: that evidence needs no replay of its own. */
  dropDeferred(): void;
  /** Cut a backoff wait short, if the running episode is in one; returns whether it was. */
  wakeBackoff(): boolean;
}

interface Queued {
  request: ReplayRequest;
  readonly waiters: Array<() => void>;
}

/**
 * Runs replay episodes one at a time and never swallows a request: one made while an episode runs (even in the tick it
 * ends, e.g. from `await ready` or an `onStateChange` entering `error`) starts after it. A forced request that finds
 * the episode waiting out a backoff wakes it instead, so the app's "Try again" retries at once.
 */
export class ReplayScheduler {
  private current: Queued | undefined;
  private follow: Queued | undefined;
  private closed = false;

  constructor(private readonly hooks: ReplaySchedulerHooks) {}

  /** Whether an episode is running (or about to run a queued one). */
  get running(): boolean {
    return this.current !== undefined;
  }

  /** Ask for a replay; resolves when the episode that serves it has ended. */
  request(request: ReplayRequest): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      if (this.current === undefined) {
        this.current = { request, waiters: [resolve] };
        void this.loop();
        return;
      }
      if (request.forced && this.hooks.wakeBackoff()) {
        // The running episode retries now: that retry starts after this call, so it serves the request.
        this.current.waiters.push(resolve);
        return;
      }
      if (this.follow === undefined) this.follow = { request, waiters: [resolve] };
      else {
        if (request.forced && !this.follow.request.forced) this.follow.request = request;
        this.follow.waiters.push(resolve);
      }
    });
  }

  /**
   * Whether the running episode's next backoff is to be skipped: a forced request queued before the wait began (an
   * app's "Try again" from onStateChange, inside the failure's own transition) is served by the retry, at once.
   */
  skipBackoff(): boolean {
    const follow = this.follow;
    if (follow === undefined || !follow.request.forced || this.current === undefined) return false;
    this.current.waiters.push(...follow.waiters.splice(0));
    this.follow = undefined;
    return true;
  }

  /** Resolve every waiter and refuse new requests (the pipeline is cancelled). */
  close(): void {
    this.closed = true;
    for (const queued of [this.current, this.follow]) for (const wake of queued?.waiters.splice(0) ?? []) wake();
    this.follow = undefined;
  }

  private async loop(): Promise<void> {
    while (this.current !== undefined && !this.closed) {
      const queued = this.current;
      try {
        await this.hooks.run(queued.request);
      } catch (error) {
        // A replay never rejects by design; if one did, the loop must go on (a dead loop defers every request for ever).
        reportLater(error);
      } finally {
        for (const wake of queued.waiters.splice(0)) wake();
      }
      if (this.closed) break;
      if (this.follow !== undefined) this.hooks.dropDeferred();
      const evidence = this.follow === undefined ? this.hooks.next() : undefined;
      this.current = this.follow ?? (evidence === undefined ? undefined : { request: evidence, waiters: [] });
      this.follow = undefined;
    }
    this.current = undefined;
  }
}

/** The episode's backoff through the scheduler (see `skipBackoff`). */
export function backoffSleeper(scheduler: () => ReplayScheduler, sleeper: Sleeper): Sleeper {
  return { sleep: (ms) => (scheduler().skipBackoff() ? Promise.resolve() : sleeper.sleep(ms)), wakeAll: () => sleeper.wakeAll() };
}
