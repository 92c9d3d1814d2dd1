import type { Timers } from "./clock";
import { ClockStride } from "./util/clock-stride";
import { sharedSliceOf } from "./util/shared-slice";

export interface DrainConfig {
  /**
   * Longest a burst may keep the drain waiting, ms. While updates keep arriving faster than `burstRate` turn after
   * turn, the drain waits so each entity × model is written once; when a turn passes with none (the stream is calm) it
   * runs at once. @default 1000
   */
  readonly maxWaitMs: number;
  /**
   * Arrivals per millisecond from which a stream counts as a burst. Below it (a steady stream, however long) the drain
   * waits at most `trickleWaitMs`, so a live game sees its updates within a frame or two. @default 20
   */
  readonly burstRate: number;
  /**
   * Arrivals in one turn of the event loop from which a stream counts as a burst, whatever the clock says: a loaded
   * CPU stretches the time a burst frame takes to read, and must not make it look like a calm stream. @default 500
   */
  readonly burstTurn: number;
  /** Longest a steady stream below `burstRate` keeps the drain waiting, ms. @default 16 */
  readonly trickleWaitMs: number;
  /** Longest a drain slice runs before it yields to the event loop, ms. @default 4 */
  readonly sliceMs: number;
}

export const DRAIN_DEFAULTS: DrainConfig = { maxWaitMs: 1000, burstRate: 20, burstTurn: 500, trickleWaitMs: 16, sliceMs: 4 };

/** One slice of work: run until `overdue()` (asked after each item) says the slice is spent; return whether anything is left. */
export type Slice = (overdue: () => boolean) => boolean;

/**
 * When the queue drains: promptly once the stream is calm, not while a burst is still arriving (up to `maxWaitMs`), in
 * slices of a few milliseconds with the event loop let in between, so the main thread is never held for long. The
 * slice asks `overdue` after each entity; the clock is read every few entities, how many sized from what they cost.
 */
export class DrainScheduler {
  private arrivals = 0;
  private arrivalsAtCheck = 0;
  private firstArrivalAt: number | undefined;
  private checkedAt = 0;
  private pending = false;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stride: ClockStride | undefined;
  private paused = false;
  private closed = false;

  constructor(
    private readonly config: DrainConfig,
    private readonly timers: Timers,
    private readonly slice: Slice,
  ) {}

  /** An update arrived: drain once the burst it belongs to is over (or has lasted `maxWaitMs`). */
  noteArrival(): void {
    this.arrivals += 1;
    if (this.pending || this.running !== undefined || this.paused || this.closed) return;
    this.pending = true;
    this.checkedAt = this.clock();
    this.firstArrivalAt ??= this.checkedAt;
    this.arrivalsAtCheck = this.arrivals;
    this.scheduleCheck();
  }

  /** Drain everything now, in slices; resolves when nothing is left. */
  flush(): Promise<void> {
    return this.start(false);
  }

  /**
   * `afterTurn`: the first slice waits a turn too, as every later one does. The check that found a burst over runs in a
   * timer's task, and a slice of its own after it would hold the loop for both (in Node, for every task queued in that
   * turn): each slice gets a task to itself.
   */
  private start(afterTurn: boolean): Promise<void> {
    this.running ??= this.run(afterTurn).finally(() => {
      this.running = undefined;
      // Something may have arrived during the last slice's yield: start over.
      if (this.arrivals !== this.arrivalsAtCheck && !this.closed) this.noteArrival();
    });
    return this.running;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.noteArrival();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A zero-delay timer, not a bare task: cancellable on close, and a turn of the loop for arrivals to come in first. */
  private scheduleCheck(): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, 0);
  }

  private check(): void {
    this.pending = false;
    if (this.closed || this.paused || this.running !== undefined) return;
    const now = this.clock();
    const arrived = this.arrivals - this.arrivalsAtCheck;
    const rate = arrived / Math.max(now - this.checkedAt, 1);
    const burst = rate >= this.config.burstRate || arrived >= this.config.burstTurn;
    const limit = burst ? this.config.maxWaitMs : this.config.trickleWaitMs;
    if (arrived > 0 && now - (this.firstArrivalAt ?? now) < limit) {
      // Still arriving: coalesce one more turn.
      this.pending = true;
      this.arrivalsAtCheck = this.arrivals;
      this.checkedAt = now;
      this.scheduleCheck();
      return;
    }
    void this.start(true);
  }

  private clock(): number {
    return this.timers.monotonic?.() ?? this.timers.now();
  }

  private async run(afterTurn: boolean): Promise<void> {
    this.firstArrivalAt = undefined;
    if (afterTurn) await new Promise<void>((resolve) => this.defer(resolve));
    // After the turn: what arrived during it is drained by this run, not taken for news once it ends.
    this.arrivalsAtCheck = this.arrivals;
    const shared = sharedSliceOf(this.timers);
    // A flush called right after other sliced work (a page's decode) continues that work's slice: see SharedSlice.
    let resumed = afterTurn;
    for (;;) {
      if (this.closed) return;
      const stride = (this.stride ??= new ClockStride(() => this.clock()));
      const started = stride.restart();
      const deadline = (resumed ? shared.open(started) : shared.join(started)) + this.config.sliceMs;
      const more = this.slice(() => {
        const now = stride.tick();
        if (now === undefined) return false;
        shared.read(now);
        return now >= deadline;
      });
      // What the slice did after its last check (telling listeners, publishing) is in this task's slice too.
      shared.read(this.clock());
      if (!more || this.closed) return;
      await new Promise<void>((resolve) => this.defer(resolve));
      resumed = true;
    }
  }

  private defer(callback: () => void): void {
    if (this.timers.defer !== undefined) this.timers.defer(callback);
    else this.timers.setTimeout(callback, 0);
  }
}
