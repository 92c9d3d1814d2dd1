import type { Timers } from "../clock";

/**
 * A loop that starts within this long of another loop's last clock read is taken to run in the same task. A loop reads
 * the clock about every `CHECK_EVERY_MS` (clock-stride.ts), so the one before stopped less than that before its last read.
 */
export const SAME_TASK_MS = 1;

/**
 * The main thread's current slice, shared by every sliced loop on one clock (the drain, a snapshot page's decode, a
 * reconciliation, a tombstone walk). Each loop once opened a slice of its own, so two that ran back to back in one
 * task held the thread for both budgets: a page decoded to the end of its slice and then the drain of what it queued,
 * started at once, measured 8.0 ms blocks where the budget was 4. Now a loop that starts right where another stopped,
 * without the event loop let in between, continues that slice. A loop that has just yielded always opens a fresh one
 * (so it makes progress); one that starts in a new task less than `SAME_TASK_MS` after another stopped yields a turn
 * early, which is all it costs.
 */
export class SharedSlice {
  private startedAt = Number.NEGATIVE_INFINITY;
  private lastRead = Number.NEGATIVE_INFINITY;

  /** The start of the slice a loop that did not just yield begins at `now`: the running one, if a loop read the clock just before. */
  join(now: number): number {
    const since = now - this.lastRead;
    // A clock that went back (a fake one reset, a wall clock stepped back) says nothing about this task.
    if (!(since >= 0 && since <= SAME_TASK_MS && this.startedAt <= now)) this.startedAt = now;
    this.lastRead = now;
    return this.startedAt;
  }

  /** A loop resumed after yielding: a fresh slice starts at `now`. */
  open(now: number): number {
    this.startedAt = now;
    this.lastRead = now;
    return now;
  }

  /** A loop read the clock inside the slice, or at its end (what it did after its last check counts too). */
  read(now: number): void {
    this.lastRead = now;
  }
}

const slices = new WeakMap<Timers, SharedSlice>();

/** The slice shared by every loop that keeps time with `timers` (one page's pipelines, source and projections share one). */
export function sharedSliceOf(timers: Timers): SharedSlice {
  let slice = slices.get(timers);
  if (slice === undefined) {
    slice = new SharedSlice();
    slices.set(timers, slice);
  }
  return slice;
}
