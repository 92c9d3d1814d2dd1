import type { Timers } from "../clock";
import { SyncError } from "../errors";

/** Items between two reads of the clock: a read costs less than a microsecond, an item a few. */
const CHECK_EVERY = 32;

/**
 * Keeps a long loop off the main thread for more than `budgetMs` at a time: call `due()` after each item (it reads the
 * clock every few items) and, when it says so, `await pause()` to let the event loop in. Used where one task could
 * otherwise hold the thread for as long as the data is big: a snapshot page, a reconciliation. A loop whose owner was
 * cancelled while it paused stops there: `pause()` rejects with SYNC_CANCELLED.
 */
export class Slicer {
  private deadline: number;
  private items = 0;

  constructor(
    private readonly timers: Timers,
    private readonly budgetMs = 4,
    /** Whether the loop's owner is gone (the pipeline cancelled, the source closed): read after each pause. */
    private readonly isCancelled: () => boolean = () => false,
  ) {
    this.deadline = this.clock() + budgetMs;
  }

  /** Whether the slice is spent. */
  due(): boolean {
    this.items += 1;
    if (this.items % CHECK_EVERY !== 0) return false;
    return this.clock() >= this.deadline;
  }

  /** Yield one turn of the event loop, then start a new slice; rejects with SYNC_CANCELLED if the owner is gone by then. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.timers.defer !== undefined) this.timers.defer(resolve);
      else this.timers.setTimeout(resolve, 0);
    });
    if (this.isCancelled()) throw new SyncError("SYNC_CANCELLED", "Cancelled while the work was paused between slices.");
    this.deadline = this.clock() + this.budgetMs;
  }

  private clock(): number {
    return this.timers.monotonic?.() ?? this.timers.now();
  }
}
