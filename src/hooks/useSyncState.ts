import { useStore } from "zustand";
import { useShallow } from "zustand/react/shallow";
import { useSyncContext } from "../components/sync-context";
import type { SyncMetricsSummary, SyncStoreState } from "../store/sync-store";

const wholeState = (state: SyncStoreState): SyncStoreState => state;

/**
 * The sync state, or a slice of it. Selected objects are compared shallowly, so a component re-renders only when what
 * it selected changed (reading `s => s.status` costs nothing while entity updates stream in).
 */
export function useSyncState(): SyncStoreState;
export function useSyncState<T>(selector: (state: SyncStoreState) => T): T;
export function useSyncState<T>(selector?: (state: SyncStoreState) => T): T | SyncStoreState {
  const { store } = useSyncContext("useSyncState");
  return useStore(store, useShallow<SyncStoreState, T | SyncStoreState>(selector ?? wholeState));
}

/** The metrics summary, or a slice of it. */
export function useSyncMetrics(): SyncMetricsSummary;
export function useSyncMetrics<T>(selector: (metrics: SyncMetricsSummary) => T): T;
export function useSyncMetrics<T>(selector?: (metrics: SyncMetricsSummary) => T): T | SyncMetricsSummary {
  const { store } = useSyncContext("useSyncMetrics");
  return useStore(
    store,
    useShallow((state: SyncStoreState) => (selector === undefined ? state.metrics : selector(state.metrics))),
  );
}
