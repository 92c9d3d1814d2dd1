import { emptyMetrics } from "../../src/core/metrics";
import type { SyncPipeline } from "../../src/core/pipeline";
import { SYNC_GUARD_DEFAULTS } from "../../src/core/sync-guard-config";
import type { SyncStore } from "../../src/store/sync-store";

/**
 * A pipeline that is a view of a store: its state, metrics and inspection read the store, its subscriptions are the
 * store's, and only `forceReplay` does something (what the caller gives). For stories and UI tests that move the
 * store by hand; shared by the Storybook harness and the browser fixture.
 */
export function storeBackedPipeline(store: SyncStore, forceReplay: () => Promise<void>): SyncPipeline {
  const metrics = () => ({ ...emptyMetrics(), ...store.getState().metrics });
  return {
    start: async () => undefined,
    ready: Promise.resolve(),
    getState: () => store.getState(),
    subscribe: (listener) => store.subscribe((state, previous) => listener(state, previous)),
    subscribeMetrics: (listener) => store.subscribe(() => listener()),
    forceReplay,
    cancel: () => undefined,
    metrics,
    inspect: () => ({
      state: store.getState(),
      metrics: metrics(),
      ledger: {
        entities: { entities: 0, models: 0, tombstones: 0, memberVersions: 0 },
        events: { entities: 0, models: 0, tombstones: 0, memberVersions: 0 },
      },
      queueDepth: store.getState().metrics.queueDepth,
      openStreams: 1,
      replaying: store.getState().status === "replaying",
      config: SYNC_GUARD_DEFAULTS,
    }),
  };
}
