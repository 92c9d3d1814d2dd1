// The React entry "torii-sync-guard": provider, hooks, components, and the engine's public API.
export * from "./core/index";
export { SyncProvider } from "./components/SyncProvider";
export type { SyncProviderOptions, SyncProviderProps } from "./components/SyncProvider";
export { useSyncMetrics, useSyncState } from "./hooks/useSyncState";
export { useSyncActions, useSyncPipeline } from "./hooks/useSyncActions";
export type { SyncActions } from "./hooks/useSyncActions";
export { connectSyncStore, createSyncStore, EMPTY_METRICS_SUMMARY, summarizeMetrics } from "./store/index";
export type { SyncMetricsSummary, SyncStore, SyncStoreState } from "./store/index";
export { useMapArea, useMapData, useMapTile } from "./hooks/useMapData";
