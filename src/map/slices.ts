import type { Timers } from "../core/clock";
import { sharedSliceOf } from "../core/util/shared-slice";

/** Aim for a clock read about this often: the few items past the deadline then cost less than this. */
const CHECK_EVERY_MS = 0.25;
/** Items before the first clock read, while the cost per item is not known yet. */
const FIRST_STRIDE = 4;
/** The most items between two clock reads, whatever the clock says (a frozen fake clock reads 0 per item). */
const MAX_STRIDE = 4096;

/** What happens as the slices run. Each is called from the slice's own task. */
export interface SliceEvents {
  /** A slice ended with work left; the next one runs after a turn of the event loop. */
  yielded(): void;
  /** `step` said there is nothing left. Not called after a cancel. */
  done(): void;
}

/**
 * Runs `step` (one item of work; `false` when there is none left) in slices of about `budgetMs`, the first one at once,
 * yielding a turn of the event loop between two. The clock is read every few items, how many sized from the cost per
 * item measured so far, so a read costs next to nothing and a slice overshoots its budget by about `CHECK_EVERY_MS`.
 * Returns the cancel: no item runs after it, a zero-delay timer is cleared, and a turn already handed to `defer`
 * (which has no cancel) finds nothing to do. Setting `signal.cancelled` does the same from inside a slice.
 */
export function runInSlices(step: () => boolean, timers: Timers, budgetMs: number, events: SliceEvents, signal: { cancelled: boolean } = { cancelled: false }): () => void {
  const clock = timers.monotonic === undefined ? () => timers.now() : () => (timers.monotonic as () => number)();
  let timer: unknown;
  let stride = FIRST_STRIDE;
  const shared = sharedSliceOf(timers);
  // The first slice runs in the caller's task and continues a slice other work there began (see SharedSlice).
  let resumed = false;
  const slice = (): void => {
    timer = undefined;
    if (signal.cancelled) return;
    let checked = clock();
    const deadline = (resumed ? shared.open(checked) : shared.join(checked)) + budgetMs;
    resumed = true;
    for (;;) {
      for (let item = 0; item < stride; item += 1) {
        // A layer's code runs inside `step` and may stop the projection, even during the first slice (before this
        // function has returned its cancel): the caller's `signal` is how that reaches here.
        if (signal.cancelled) return;
        if (!step()) {
          signal.cancelled = true;
          events.done();
          shared.read(clock());
          return;
        }
      }
      const now = clock();
      shared.read(now);
      // From the last stride alone: a layer whose items cost ten times more is caught at its first check.
      const perItem = (now - checked) / stride;
      checked = now;
      stride = perItem > 0 ? Math.max(1, Math.min(MAX_STRIDE, Math.floor(CHECK_EVERY_MS / perItem))) : Math.min(MAX_STRIDE, stride * 2);
      if (now >= deadline) break;
    }
    events.yielded();
    if (signal.cancelled) return;
    if (timers.defer !== undefined) timers.defer(slice);
    else timer = timers.setTimeout(slice, 0);
  };
  slice();
  return () => {
    signal.cancelled = true;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };
}
