import type { EntityId } from "./entity-id";
import type { SyncEvent } from "./events";
import type { EntityLedger, LedgerEntry } from "./ledger";
import type { SyncMetrics } from "./metrics";
import type { AdmittedChange } from "./ports";
import type { SyncState } from "./state";
import type { PipelineStore } from "./publisher";
import type { SyncGuardConfig } from "./sync-guard-config";
import type { LedgerScope } from "./types";

/** What `inspect()` tells: the guard's config and state, the metrics, the ledger's size, the streams open. */
export interface PipelineInspection {
  readonly config: SyncGuardConfig;
  readonly state: SyncState;
  readonly metrics: SyncMetrics;
  readonly ledger: Readonly<Record<LedgerScope, ReturnType<EntityLedger["stats"]>>>;
  readonly openStreams: number;
  readonly replaying: boolean;
}

export interface SyncPipeline {
  /** Start syncing (idempotent); resolves with `ready`. */
  start(): Promise<void>;
  /** Resolves once the first consistent state is in RECS; rejects if the budget is spent or the pipeline cancelled first. */
  readonly ready: Promise<void>;
  /** The pipeline's one store: `{ sync, metrics }`, set once per state transition or drain. */
  readonly store: PipelineStore;
  getState(): SyncState;
  /** Called on every state change. Returns the unsubscribe. */
  subscribe(listener: (state: SyncState, previous: SyncState) => void): () => void;
  /** Called after each drain with the entities whose changes landed. Returns the unsubscribe. */
  subscribeApplied(listener: (entityIds: readonly EntityId[]) => void): () => void;
  /**
   * Every change the admission let through, as it lands, in Torii's terms (members as Torii sent them, times in
   * `executed_at` seconds): what a persisted cache stores and a leader tab hands to its followers. Returns the unsubscribe.
   */
  subscribeAdmitted(listener: (change: AdmittedChange) => void): () => void;
  /** Every event as it happens (state changes, replays, probes, gaps, overflows, rejected input…). Returns the unsubscribe. */
  subscribeEvents(listener: (event: SyncEvent) => void): () => void;
  /** The UI is about to reload the page to recover (announced as `hard_reload_requested`). */
  reportHardReload(): void;
  /** What the ledger holds for one entity (entities scope) — versions per model and member, tombstones — and its RECS values. */
  inspectEntity(entityId: EntityId): (LedgerEntry & { readonly values: Readonly<Record<string, unknown>> }) | undefined;
  /** The newest block time (seconds) the ledger applied to an entity (entities scope), if any. */
  entityVersion(entityId: EntityId): number | undefined;
  /** Replay now, from any state (the way out of `error`): a replay that starts after the call. */
  forceReplay(): Promise<void>;
  /** Stop everything. Idempotent; leaves no timer, listener or stream behind. */
  cancel(): void;
  metrics(): SyncMetrics;
  inspect(): PipelineInspection;
}
