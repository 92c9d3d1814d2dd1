import type { Timers } from "../../src/core/clock";
import type { MapProjection } from "../../src/map/projection";

/** Until the build `start()` began is done: at once when it fitted in one slice, else when its last slice ran. */
export function built(projection: MapProjection): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!projection.getStatus().building) return resolve();
    const off = projection.subscribeStatus(() => {
      if (projection.getStatus().building) return;
      off();
      resolve();
    });
  });
}

/**
 * Time a test drives: the clock moves only when the test (or a layer's callback, "per item") calls `advance`, and the
 * event loop turns a build yields to are queued until the test runs them. `timers()` without `defer` makes a build
 * yield through zero-delay timers instead, which `pendingTimers` counts.
 */
export class SteppedTimers {
  clock = 0;
  clockReads = 0;
  private readonly timeouts = new Map<number, () => void>();
  private nextId = 1;
  private readonly turns: Array<() => void> = [];

  /** The `Timers` to hand to the projection. */
  timers({ withDefer = true }: { withDefer?: boolean } = {}): Timers {
    const base: Timers = {
      now: () => Math.floor(this.clock),
      monotonic: () => {
        this.clockReads += 1;
        return this.clock;
      },
      setTimeout: (callback) => {
        const id = this.nextId;
        this.nextId += 1;
        this.timeouts.set(id, callback);
        return id;
      },
      clearTimeout: (handle) => void this.timeouts.delete(handle as number),
    };
    return withDefer ? { ...base, defer: (callback) => void this.turns.push(callback) } : base;
  }

  advance(ms: number): void {
    this.clock += ms;
  }

  /** Zero-delay timers not run or cleared yet. */
  get pendingTimers(): number {
    return this.timeouts.size;
  }

  /** Deferred turns not run yet. */
  get pendingTurns(): number {
    return this.turns.length;
  }

  /** Run the oldest queued turn (a deferred callback, else a timer); false when none is queued. */
  runTurn(): boolean {
    const turn = this.turns.shift();
    if (turn !== undefined) {
      turn();
      return true;
    }
    const first = this.timeouts.entries().next();
    if (first.done === true) return false;
    this.timeouts.delete(first.value[0]);
    first.value[1]();
    return true;
  }

  /** Run turns until none is left; how many ran. */
  runAll(limit = 1_000_000): number {
    let ran = 0;
    while (ran < limit && this.runTurn()) ran += 1;
    return ran;
  }
}
