import { createStore, type StoreApi } from "zustand/vanilla";
import { emptyMetrics, type SyncMetrics } from "../core/metrics";
import type { SyncPipeline } from "../core/pipeline";
import { INITIAL_SYNC_STATE, type SyncState } from "../core/state";
import type { SqlMapSource, SqlMapStatus } from "../map/sql-source";

/** The few counters a UI shows; the full set stays on `pipeline.metrics()`. */
export interface SyncMetricsSummary {
  readonly received: number;
  readonly applied: number;
  readonly droppedStale: number;
  readonly rejected: number;
  readonly queueDepth: number;
  readonly queueHighWater: number;
  readonly overflows: number;
  readonly gaps: number;
  readonly replays: number;
  readonly lastReplayMs: number | undefined;
  readonly probes: number;
}

export interface SyncStoreState extends SyncState {
  readonly metrics: SyncMetricsSummary;
  /** The SQL map source's health, when the provider has one. */
  readonly mapSource: SqlMapStatus | undefined;
}

export type SyncStore = StoreApi<SyncStoreState>;

export function createSyncStore(initial: Partial<SyncStoreState> = {}): SyncStore {
  return createStore<SyncStoreState>()(() => ({ ...INITIAL_SYNC_STATE, metrics: EMPTY_METRICS_SUMMARY, mapSource: undefined, ...initial }));
}

/** The summary of a pipeline that has seen nothing yet (what the store holds before a pipeline is connected). */
export const EMPTY_METRICS_SUMMARY: SyncMetricsSummary = summarizeMetrics(emptyMetrics());

export function summarizeMetrics(metrics: SyncMetrics): SyncMetricsSummary {
  return {
    received: metrics.received,
    applied: metrics.applied,
    droppedStale: metrics.droppedStale,
    rejected: metrics.rejected,
    queueDepth: metrics.queueDepth,
    queueHighWater: metrics.queueHighWater,
    overflows: metrics.overflows,
    gaps: metrics.gaps,
    replays: metrics.replays,
    lastReplayMs: metrics.lastReplayMs,
    probes: metrics.probes,
  };
}

/**
 * Mirror a pipeline into the store. Only real changes reach the store, so its listeners fire only when something a
 * UI could show has changed. Returns the disconnect.
 */
export function connectSyncStore(store: SyncStore, pipeline: SyncPipeline): () => void {
  const sync = (): void => {
    const current = store.getState();
    const state = pipeline.getState();
    const metrics = summarizeMetrics(pipeline.metrics());
    const patch: Partial<SyncStoreState> = {};
    for (const key of Object.keys(state) as Array<keyof SyncState>) {
      if (!Object.is(current[key], state[key])) (patch as Record<string, unknown>)[key] = state[key];
    }
    if (!shallowEqual(current.metrics, metrics)) (patch as { metrics?: SyncMetricsSummary }).metrics = metrics;
    if (Object.keys(patch).length > 0) store.setState(patch);
  };
  sync();
  const unsubscribeState = pipeline.subscribe(sync);
  const unsubscribeMetrics = pipeline.subscribeMetrics(sync);
  return () => {
    unsubscribeState();
    unsubscribeMetrics();
  };
}

function shallowEqual<T extends object>(a: T, b: T): boolean {
  const keys = Object.keys(a) as Array<keyof T>;
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

/** Mirror an SQL map source's status (`ok | stale | error`, `lastError`, `lastRefreshAt`) into the store. Returns the disconnect. */
export function connectSqlMapStatus(store: SyncStore, source: SqlMapSource): () => void {
  const sync = (): void => {
    const status = source.getStatus();
    if (store.getState().mapSource !== status) store.setState({ mapSource: status });
  };
  sync();
  return source.subscribe(sync);
}
