/** Aim for a clock read about this often: a slice then overshoots its budget by about this much (and one item). */
export const CHECK_EVERY_MS = 0.25;
/** Items before the first read, while the cost per item is not known yet. */
const FIRST_STRIDE = 2;
/**
 * The most items between two reads. Small: the stride is a forecast from the items before, and items that suddenly
 * cost more (code deoptimised mid-slice, a big entity) overshoot by up to a stride of them. A read costs well under a
 * microsecond and the items here (an entity admitted, decoded or walked) a few, so reading every 8 is still cheap.
 */
const MAX_STRIDE = 8;

/**
 * When a sliced loop reads the clock: every `stride` items, the stride sized from the cost per item measured at the
 * last read. A read then costs next to nothing while items are cheap, and items that turn slow are caught within about
 * `CHECK_EVERY_MS`. A fixed count cannot do both: the same 32 snapshot items that take 0.2 ms on optimised code took
 * 17 ms right after a new pipeline's first page deoptimised the intake (V8 ran it unoptimised until it re-optimised),
 * one 34 ms task where the slice's budget was 4 ms.
 */
export class ClockStride {
  private stride = FIRST_STRIDE;
  private left = FIRST_STRIDE;
  private checkedAt: number;

  constructor(private readonly clock: () => number) {
    this.checkedAt = clock();
  }

  /** Start measuring afresh (a new slice: the time spent away is not the items' cost); returns the clock. */
  restart(): number {
    this.checkedAt = this.clock();
    this.left = this.stride;
    return this.checkedAt;
  }

  /** Count one item; returns the clock when this item is the one to read it at, else `undefined`. */
  tick(): number | undefined {
    this.left -= 1;
    if (this.left > 0) return undefined;
    const now = this.clock();
    const perItem = (now - this.checkedAt) / this.stride;
    this.checkedAt = now;
    this.stride = perItem > 0 ? Math.max(1, Math.min(MAX_STRIDE, Math.floor(CHECK_EVERY_MS / perItem))) : Math.min(MAX_STRIDE, this.stride * 2);
    this.left = this.stride;
    return now;
  }
}
