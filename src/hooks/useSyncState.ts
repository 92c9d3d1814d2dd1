import { useStore } from "zustand";
import { useShallow } from "zustand/react/shallow";
import type { SyncMetrics } from "../core/metrics";
import type { PipelineSnapshot } from "../core/publisher";
import { viewOf, type SyncStoreState } from "../store/sync-view";
import { useSyncContext } from "./sync-context";

/**
 * The sync state (with its metrics), or a slice of it, read from the pipeline's own store. Selected objects are
 * compared shallowly, so a component re-renders only when what it selected changed (reading `s => s.status` costs
 * nothing while entity updates stream in).
 */
export function useSyncState(): SyncStoreState;
export function useSyncState<T>(selector: (state: SyncStoreState) => T): T;
export function useSyncState<T>(selector?: (state: SyncStoreState) => T): T | SyncStoreState {
  const { store } = useSyncContext("useSyncState");
  return useStore(
    store,
    useShallow((snapshot: PipelineSnapshot) => (selector === undefined ? viewOf(snapshot) : selector(viewOf(snapshot)))),
  );
}

/** The metrics, or a slice of them. */
export function useSyncMetrics(): SyncMetrics;
export function useSyncMetrics<T>(selector: (metrics: SyncMetrics) => T): T;
export function useSyncMetrics<T>(selector?: (metrics: SyncMetrics) => T): T | SyncMetrics {
  const { store } = useSyncContext("useSyncMetrics");
  return useStore(
    store,
    useShallow((snapshot: PipelineSnapshot) => (selector === undefined ? snapshot.metrics : selector(snapshot.metrics))),
  );
}
