import { createStore } from "zustand/vanilla";
import type { SyncMetrics } from "../core/metrics";
import type { PipelineSnapshot, PipelineStore } from "../core/publisher";
import type { SyncState } from "../core/state";
import { emptyMetrics, INITIAL_SYNC_STATE } from "../sync/index";

/** What `useSyncState` selectors read: the sync state, with the metrics beside it. */
export interface SyncStoreState extends SyncState {
  readonly metrics: SyncMetrics;
}

// One view per snapshot: selectors called on the same snapshot see the same object (no copy per selector call).
const views = new WeakMap<PipelineSnapshot, SyncStoreState>();

/** The flat view of a pipeline's snapshot that UI selectors read. */
export function viewOf(snapshot: PipelineSnapshot): SyncStoreState {
  let view = views.get(snapshot);
  if (view === undefined) views.set(snapshot, (view = { ...snapshot.sync, metrics: snapshot.metrics }));
  return view;
}

/** What the UI reads before a provider's pipeline exists (the first render, SSR): idle, nothing received. */
export function createIdleStore(): PipelineStore {
  return createStore<PipelineSnapshot>()(() => ({ sync: INITIAL_SYNC_STATE, metrics: emptyMetrics() }));
}
