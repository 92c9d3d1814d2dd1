export { connectSqlMapStatus, connectSyncStore, createSyncStore, EMPTY_METRICS_SUMMARY, summarizeMetrics } from "./sync-store";
export type { SyncMetricsSummary, SyncStore, SyncStoreState } from "./sync-store";
