import { createStore, type StoreApi } from "zustand/vanilla";
import { emptyMetrics, type SyncMetrics } from "./metrics";
import { INITIAL_SYNC_STATE, type SyncState } from "./state";
import { callSafely } from "./util/listeners";

/** What a pipeline publishes: its state and its metrics, one object each, replaced (never mutated) together. */
export interface PipelineSnapshot {
  readonly sync: SyncState;
  readonly metrics: SyncMetrics;
}

/** The pipeline's one store: React reads it with selectors, sinks and the inspector subscribe to it. */
export type PipelineStore = StoreApi<PipelineSnapshot>;

export interface Publisher {
  readonly store: PipelineStore;
  /** Something changed: publish now, or once at the end of the batch running. */
  publish(): void;
  /** Run `work` (a drain slice) and publish at most once, at its end. */
  batch(work: () => void): void;
}

/**
 * One store per pipeline, set once per state transition or drain slice: `read()` assembles the snapshot only when it is
 * published, so a slice of thousands of updates costs one metrics copy and one notification.
 */
export function createPublisher(read: () => PipelineSnapshot): Publisher {
  const raw = createStore<PipelineSnapshot>()(() => ({ sync: INITIAL_SYNC_STATE, metrics: emptyMetrics() }));
  // zustand calls its listeners in a loop without a catch: one that throws (a game's own subscriber, a custom sink)
  // would stop every reader after it and throw into the drain or the replay that published. Each is isolated.
  const store: PipelineStore = { ...raw, subscribe: (listener) => raw.subscribe((state, previous) => callSafely(listener, state, previous)) };
  let batching = false;
  let dirty = false;
  const publish = (): void => {
    if (batching) {
      dirty = true;
      return;
    }
    store.setState(read(), true);
  };
  return {
    store,
    publish,
    batch(work) {
      if (batching) {
        work();
        return;
      }
      batching = true;
      dirty = false;
      try {
        work();
      } finally {
        batching = false;
        if (dirty) publish();
      }
    },
  };
}
