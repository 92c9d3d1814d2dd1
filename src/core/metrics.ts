import { DROP_REASONS, type DropCounts } from "./drops";
import type { SyncErrorCode } from "./errors";
import type { ProbeOutcome } from "./events";
import type { Evidence } from "./guard/reducer";
import { versionMajor } from "./version";
import type { ConnectionState, SyncStatus } from "./state";

/** Counters and gauges of one pipeline. Plain numbers so a sink can ship them as they are. */
export interface SyncMetrics {
  /** Updates received from streams and pages (each entity message counts once). */
  received: number;
  /** Entity × model changes that landed in RECS (or were held until complete). */
  applied: number;
  /** Everything received and not applied, by why (see DropReason): the one account of drops. */
  droppedByReason: DropCounts;
  /** Changes dropped because something newer was applied or pending: `stale` + `superseded`. */
  droppedStale: number;
  /** Updates merged into an item already queued for the same entity. */
  compacted: number;
  /**
   * Entity × model changes at the version already applied and with the values RECS already holds (a replay over a
   * warm start or a second page of the same row): neither written nor announced again.
   */
  unchanged: number;
  /** Inputs rejected as malformed, all codes together. */
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
  /** Replay durations of the last 20: median and 95th percentile, ms (`undefined` before the first). */
  replayMsP50: number | undefined;
  replayMsP95: number | undefined;
  /** Liveness probes run (silence, wake-up and audits of recent writes). */
  probes: number;
  /** What the probes concluded, by outcome. */
  probesByOutcome: Partial<Record<ProbeOutcome, number>>;
  /** Times the replay budget was spent (the status reached `error`). */
  budgetSpent: number;
  /** How far the client is behind the indexer, ms, as the last probe measured it (0 once a replay caught up). */
  lagMs: number;
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
  /** The newest version applied anywhere, in plain units: block time in seconds and as an ISO date (`undefined` before any). */
  lastApplied: { readonly seconds: number; readonly iso: string } | undefined;
  /** Components held because their first update was partial. */
  heldIncomplete: number;
  /** The persisted cache (the `persist` option); `undefined` when it is off. */
  cache: CacheMetrics | undefined;
}

/** What the persisted cache did for one pipeline. */
export interface CacheMetrics {
  /** Warm starts that found a cached world (at most one per pipeline). */
  hits: number;
  /** Starts that found none: a first visit, another schema or SDK version, or storage that failed. */
  misses: number;
  /** Entities the warm start handed to the admission. */
  entitiesHydrated: number;
  /** Torii entity messages the warm start handed to the admission. */
  messagesHydrated: number;
  /** How long the hydration took, from the first read to the last message (ms); `undefined` before a hit. */
  hydrateMs: number | undefined;
  /**
   * Slices the hydration ran in, and the longest one's main-thread time (ms, by the SDK's clock: the browser's own work
   * and garbage collection between slices are not in it).
   */
  hydrateSlices: number;
  longestHydrateSliceMs: number;
  /** How old the cached world was at the warm start (ms); `undefined` before a hit or without a watermark. */
  ageMs: number | undefined;
  /** Admitted changes handed to the cache's writer. */
  changesRecorded: number;
  /** Writes committed to storage (each a batch of changes, the watermark last). */
  flushes: number;
  /** Entities written (one entity lands whole or not at all). */
  entitiesWritten: number;
  /** Characters of the records written (each entity's JSON): the browser's own encoding and compression differ. */
  bytesWritten: number;
  /**
   * Write slices committed (one transaction each), and the longest one's time (ms): the page's thread's, as for
   * hydration, or the cache worker's when the writer runs in one (its slices aim at 50 ms: nothing waits on it there).
   */
  writeSlices: number;
  longestWriteSliceMs: number;
  /** The newest watermark written: the block time (seconds) the cache holds everything up to; `undefined` before one. */
  watermark: number | undefined;
  /** Boot replays that read only what changed since the cache's watermark (its count confirmed nothing was removed). */
  incrementalReplays: number;
  /** Entities those incremental replays read. */
  incrementalEntities: number;
  /** Incremental replays given up for a full one (too many changes, no SQL answer, counts that differ). */
  incrementalFallbacks: number;
  /** This tab's part when tabs share the sync: it syncs for all (`leader`), applies the leader's changes (`follower`), or syncs alone. */
  tabRole: "alone" | "leader" | "follower";
  /** Times the leading tab changed, as this tab saw it (it took or lost the lead, or another tab took over). */
  leaderChanges: number;
  /** Storage failures (each drops the cache; the sync goes on from the network), all codes and by code. */
  errors: number;
  errorsByCode: Partial<Record<SyncErrorCode, number>>;
}

/** What the pipeline counts as it goes; `snapshotMetrics` copies it, with the gauges, into a SyncMetrics. */
export interface PipelineCounters {
  received: number;
  streamMessages: number;
  seenExecutedAt: number;
  applied: number;
  unchanged: number;
  lastAppliedVersion: number;
  lastExecutedAt: number;
  deletes: number;
  gaps: number;
  replays: number;
  lastReplayMs: number | undefined;
  readonly replayDurationsMs: number[];
  probes: number;
  readonly probesByOutcome: Partial<Record<ProbeOutcome, number>>;
  budgetSpent: number;
  readonly evidence: Partial<Record<Evidence, number>>;
  reconciled: number;
  reconcileSkipped: number;
  tombstonesPruned: number;
  indexerHead: { readonly block: number; readonly timestamp: number } | undefined;
  rejected: number;
  readonly rejectedByCode: Partial<Record<SyncErrorCode, number>>;
  readonly warningsByCode: Partial<Record<SyncErrorCode, number>>;
  readonly unboundModels: Record<string, number>;
  /** Set when the pipeline has a persisted cache. */
  cache: CacheMetrics | undefined;
}

export function createCounters(): PipelineCounters {
  return {
    received: 0,
    streamMessages: 0,
    seenExecutedAt: 0,
    applied: 0,
    unchanged: 0,
    lastAppliedVersion: -1,
    lastExecutedAt: 0,
    deletes: 0,
    gaps: 0,
    replays: 0,
    lastReplayMs: undefined,
    replayDurationsMs: [],
    probes: 0,
    probesByOutcome: {},
    budgetSpent: 0,
    evidence: {},
    reconciled: 0,
    reconcileSkipped: 0,
    tombstonesPruned: 0,
    indexerHead: undefined,
    rejected: 0,
    rejectedByCode: {},
    warningsByCode: {},
    unboundModels: {},
    cache: undefined,
  };
}

/** The gauges read at the moment of a snapshot. */
export interface MetricsGauges {
  readonly drops: Readonly<DropCounts>;
  readonly compacted: number;
  readonly queueDepth: number;
  readonly queueHighWater: number;
  readonly overflows: number;
  readonly heldIncomplete: number;
  readonly status: SyncStatus;
  readonly connection: ConnectionState;
  readonly lagMs: number;
}

/** A fresh SyncMetrics: nothing in it is shared with the pipeline, so a sink may keep it. */
export function snapshotMetrics(counters: PipelineCounters, gauges: MetricsGauges): SyncMetrics {
  const droppedByReason = { ...gauges.drops };
  return {
    received: counters.received,
    applied: counters.applied,
    droppedByReason,
    droppedStale: droppedByReason.stale + droppedByReason.superseded,
    compacted: gauges.compacted,
    unchanged: counters.unchanged,
    rejected: counters.rejected,
    rejectedByCode: { ...counters.rejectedByCode },
    warningsByCode: { ...counters.warningsByCode },
    unboundModels: { ...counters.unboundModels },
    queueDepth: gauges.queueDepth,
    queueHighWater: gauges.queueHighWater,
    overflows: gauges.overflows,
    gaps: counters.gaps,
    replays: counters.replays,
    lastReplayMs: counters.lastReplayMs,
    replayDurationsMs: [...counters.replayDurationsMs],
    replayMsP50: percentile(counters.replayDurationsMs, 0.5),
    replayMsP95: percentile(counters.replayDurationsMs, 0.95),
    probes: counters.probes,
    probesByOutcome: { ...counters.probesByOutcome },
    budgetSpent: counters.budgetSpent,
    lagMs: gauges.lagMs,
    evidence: { ...counters.evidence },
    reconciled: counters.reconciled,
    reconcileSkipped: counters.reconcileSkipped,
    tombstonesPruned: counters.tombstonesPruned,
    lastExecutedAt: counters.seenExecutedAt,
    indexerHead: counters.indexerHead,
    status: gauges.status,
    connection: gauges.connection,
    lastAppliedVersion: counters.lastAppliedVersion,
    lastApplied: plainVersion(counters.lastAppliedVersion),
    heldIncomplete: gauges.heldIncomplete,
    cache: counters.cache === undefined ? undefined : { ...counters.cache, errorsByCode: { ...counters.cache.errorsByCode } },
  };
}

function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function plainVersion(version: number): { seconds: number; iso: string } | undefined {
  if (version < 0) return undefined;
  const seconds = versionMajor(version);
  return { seconds, iso: new Date(seconds * 1000).toISOString() };
}

/** The metrics of a pipeline that has seen nothing yet. */
export function emptyMetrics(): SyncMetrics {
  const drops = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as DropCounts;
  return snapshotMetrics(createCounters(), { drops, compacted: 0, queueDepth: 0, queueHighWater: 0, overflows: 0, heldIncomplete: 0, status: "idle", connection: "closed", lagMs: 0 });
}

/** A replay completed in `ms`: counted, and its duration kept (the last 20). */
export function recordReplay(counters: PipelineCounters, ms: number): void {
  counters.replays += 1;
  counters.lastReplayMs = ms;
  counters.replayDurationsMs.push(ms);
  if (counters.replayDurationsMs.length > 20) counters.replayDurationsMs.shift();
}
