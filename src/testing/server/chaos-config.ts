/** Stream faults, applied to each subscriber on its own (its own queue, its own seeded random stream). */
export interface ChaosConfig {
  /** Delay before each stream message is written, ms. @default 0 */
  readonly delayMs: number;
  /** Extra random delay in [0, jitterMs] per message; overlapping delays reorder messages. @default 0 */
  readonly jitterMs: number;
  /** Hold this many messages and release a random one each time the window overflows (0 = off). @default 0 */
  readonly reorderWindow: number;
  /** How long a partly filled reorder window waits before it flushes in shuffled order, ms. @default 25 */
  readonly reorderFlushMs: number;
  /** Probability that a message is written twice. @default 0 */
  readonly duplicateProbability: number;
  /** Probability that a message is silently dropped. @default 0 */
  readonly dropProbability: number;
  /** A subscriber holding more undelivered messages than this is disconnected, like real Torii's 256-message buffer. @default 256 */
  readonly maxPendingMessages: number;
}

export const DEFAULT_CHAOS: ChaosConfig = {
  delayMs: 0,
  jitterMs: 0,
  reorderWindow: 0,
  reorderFlushMs: 25,
  duplicateProbability: 0,
  dropProbability: 0,
  maxPendingMessages: 256,
};

/** What a stalled stream does with new messages: keep them for `resume()` (still bounded by maxPendingMessages) or lose them. */
export type StallMode = "hold" | "drop";
