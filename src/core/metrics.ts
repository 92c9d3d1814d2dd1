import type { SyncErrorCode } from "./errors";
import type { Evidence } from "./guard/reducer";
import type { ConnectionState, SyncStatus } from "./state";

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
  /** Valid values stored with a loss, by code (`SYNC_PRECISION_LOSS`: a u64 past 2^53 in a Number field). */
  warningsByCode: Partial<Record<SyncErrorCode, number>>;
  /** Model changes Torii sent for models no component binds (the app syncs a subset on purpose), per model tag. */
  unboundModels: Record<string, number>;
  queueDepth: number;
  queueHighWater: number;
  overflows: number;
  /** Gap signals: the client reconnected by itself and missed updates. */
  gaps: number;
  /** Replays completed (boot included). */
  replays: number;
  lastReplayMs: number | undefined;
  /** Durations of the last 20 completed replays, oldest first. */
  replayDurationsMs: number[];
  /** Liveness probes run. */
  probes: number;
  /** Evidence the guard acted on (or would have, during a replay), by kind. */
  evidence: Partial<Record<Evidence, number>>;
  /** Components removed because the authoritative snapshot no longer had them. */
  reconciled: number;
  /** Reconciliations skipped because they would have removed too much to trust. */
  reconcileSkipped: number;
  /** Tombstones forgotten after replays (older than `tombstoneHorizonSeconds`). */
  tombstonesPruned: number;
  /** Newest `executed_at` (seconds) among everything processed. */
  lastExecutedAt: number;
  /** The indexer head at the last probe (block and its timestamp), when the client can tell. */
  indexerHead: { readonly block: number; readonly timestamp: number } | undefined;
  status: SyncStatus;
  connection: ConnectionState;
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
    warningsByCode: {},
    unboundModels: {},
    queueDepth: 0,
    queueHighWater: 0,
    overflows: 0,
    gaps: 0,
    replays: 0,
    lastReplayMs: undefined,
    replayDurationsMs: [],
    probes: 0,
    evidence: {},
    reconciled: 0,
    reconcileSkipped: 0,
    tombstonesPruned: 0,
    lastExecutedAt: 0,
    indexerHead: undefined,
    status: "idle",
    connection: "closed",
    lastAppliedVersion: -1,
    heldIncomplete: 0,
  };
}
