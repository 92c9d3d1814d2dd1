import type { Timers } from "../clock";
import { SyncError } from "../errors";
import { ClockStride } from "./clock-stride";
import { sharedSliceOf, type SharedSlice } from "./shared-slice";

/**
 * Keeps a long loop off the main thread for more than `budgetMs` at a time: call `due()` after each item (it reads the
 * clock every few items, how many sized from what the items cost: see ClockStride) and, when it says so, `await pause()` to let the event loop in. Used where one task could
 * otherwise hold the thread for as long as the data is big: a snapshot page, a reconciliation. A loop started right
 * where another stopped, in the same task, continues that loop's slice (see SharedSlice). A loop whose owner was
 * cancelled while it paused stops there: `pause()` rejects with SYNC_CANCELLED.
 */
export class Slicer {
  private deadline: number;
  private readonly stride: ClockStride;
  private readonly shared: SharedSlice;

  constructor(
    private readonly timers: Timers,
    private readonly budgetMs = 4,
    /** Whether the loop's owner is gone (the pipeline cancelled, the source closed): read after each pause. */
    private readonly isCancelled: () => boolean = () => false,
  ) {
    this.stride = new ClockStride(() => this.clock());
    this.shared = sharedSliceOf(timers);
    this.deadline = this.shared.join(this.stride.restart()) + budgetMs;
  }

  /** Whether the slice is spent. */
  due(): boolean {
    const now = this.stride.tick();
    if (now === undefined) return false;
    this.shared.read(now);
    return now >= this.deadline;
  }

  /** The loop is done: a loop that starts next in this task continues the slice from here (see SharedSlice). */
  end(): void {
    this.shared.read(this.clock());
  }

  /** Yield one turn of the event loop, then start a new slice; rejects with SYNC_CANCELLED if the owner is gone by then. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.timers.defer !== undefined) this.timers.defer(resolve);
      else this.timers.setTimeout(resolve, 0);
    });
    if (this.isCancelled()) throw new SyncError("SYNC_CANCELLED", "Cancelled while the work was paused between slices.");
    this.deadline = this.shared.open(this.stride.restart()) + this.budgetMs;
  }

  private clock(): number {
    return this.timers.monotonic?.() ?? this.timers.now();
  }
}
