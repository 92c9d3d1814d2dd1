import { DRAIN_DEFAULTS } from "./drain";

/** The `queue` option: how much may be pending, and when and how long the drain runs. */
export interface UpdateQueueConfig {
  /**
   * Entities pending at once before the backlog is dropped and an `overflow` asks for a resync. Compaction keeps one
   * entry per entity × model × member, so this bounds memory by entity count, whatever the update rate.
   * @default 100_000
   */
  readonly highWaterMark: number;
  /**
   * Longest a burst may keep the drain waiting: while updates keep arriving faster than `burstRate` turn after turn
   * the drain waits, so each component is written once; a calm stream drains at once. @default 1000
   */
  readonly maxWaitMs: number;
  /** Arrivals per millisecond from which a stream counts as a burst. @default 20 */
  readonly burstRate: number;
  /** Arrivals in one turn of the event loop from which a stream counts as a burst, however slow the CPU. @default 500 */
  readonly burstTurn: number;
  /** Longest a steady stream below `burstRate` keeps the drain waiting, ms. @default 16 */
  readonly trickleWaitMs: number;
  /** Longest a drain slice holds the main thread before it yields, ms. @default 4 */
  readonly sliceMs: number;
}

export const QUEUE_DEFAULTS: UpdateQueueConfig = { highWaterMark: 100_000, ...DRAIN_DEFAULTS };
