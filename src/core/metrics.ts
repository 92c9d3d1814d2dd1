import type { SyncErrorCode } from "./errors";

/** Counters and gauges of one pipeline. Plain numbers so a sink can ship them as they are. */
export interface SyncMetrics {
  /** Updates received from streams and pages (each entity message counts once). */
  received: number;
  /** Entity × model changes that landed in RECS (or were held until complete). */
  applied: number;
  /** Entity × model changes dropped because something newer was already applied. */
  droppedStale: number;
  /** Updates merged into an item already queued for the same entity. */
  compacted: number;
  /** Inputs rejected as malformed or unknown, all codes together. */
  rejected: number;
  rejectedByCode: Partial<Record<SyncErrorCode, number>>;
  queueDepth: number;
  queueHighWater: number;
  overflows: number;
  /** Gap signals: the client reconnected by itself and missed updates. */
  gaps: number;
  replays: number;
  lastReplayMs: number | undefined;
  /** Newest version applied anywhere (packed, see `Version`). */
  lastAppliedVersion: number;
  /** Components held because their first update was partial. */
  heldIncomplete: number;
}

export function emptyMetrics(): SyncMetrics {
  return {
    received: 0,
    applied: 0,
    droppedStale: 0,
    compacted: 0,
    rejected: 0,
    rejectedByCode: {},
    queueDepth: 0,
    queueHighWater: 0,
    overflows: 0,
    gaps: 0,
    replays: 0,
    lastReplayMs: undefined,
    lastAppliedVersion: -1,
    heldIncomplete: 0,
  };
}
