// The React entry "torii-sync-guard": provider, hooks, components, and the engine's public API.
export * from "./sync/index";
export { createSqlMapSource, defineMapProjection } from "./map/index";
export type { SqlMapQuery, SqlMapSource, SqlMapSourceOptions, SqlMapStatus, SqlRow } from "./map/index";
export type { MapBounds, MapItem, MapLayer, MapPosition, MapProjection, MapProjectionOptions, MapSnapshot, MapTile } from "./map/index";
export { SyncProvider } from "./components/SyncProvider";
export type { SyncProviderOptions, SyncProviderProps } from "./components/SyncProvider";
export { useSyncMetrics, useSyncState } from "./hooks/useSyncState";
export { useSyncActions, useSyncPipeline } from "./hooks/useSyncActions";
export type { SyncActions } from "./hooks/useSyncActions";
export type { SyncStoreState } from "./store/index";
export { useSqlMapStatus } from "./hooks/useSqlMapStatus";
export { useMapArea, useMapData, useMapTile } from "./hooks/useMapData";
export { ResyncBanner, RESYNC_BANNER_MESSAGES } from "./components/ResyncBanner";
export type { ResyncBannerMessages, ResyncBannerProps, ResyncBannerView } from "./components/ResyncBanner";
export { HardReloadPrompt, HARD_RELOAD_PROMPT_MESSAGES } from "./components/HardReloadPrompt";
export type { HardReloadPromptMessages, HardReloadPromptProps, HardReloadPromptView } from "./components/HardReloadPrompt";
export { SyncDebugPanel, SYNC_DEBUG_PANEL_LABELS } from "./components/SyncDebugPanel";
export type { SyncDebugPanelLabels, SyncDebugPanelProps } from "./components/SyncDebugPanel";
