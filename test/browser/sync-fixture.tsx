import type { ReactNode } from "react";
import { vi, type Mock } from "vitest";
import { SyncContext } from "../../src/components/sync-context";
import { SyncError } from "../../src/core/errors";
import { emptyMetrics } from "../../src/core/metrics";
import type { SyncPipeline } from "../../src/core/pipeline";
import { SYNC_GUARD_DEFAULTS } from "../../src/core/sync-guard-config";
import { createSyncStore, type SyncStore, type SyncStoreState } from "../../src/store/sync-store";

export interface SyncFixture {
  readonly store: SyncStore;
  readonly forceReplay: Mock<() => Promise<void>>;
  readonly reload: Mock<() => void>;
  /** Wraps UI in the fixture's store and fake pipeline, as <SyncProvider> would. */
  readonly wrap: (ui: ReactNode) => ReactNode;
}

/** A real store and a fake pipeline whose only live part is an observable `forceReplay`. */
export function createSyncFixture(initial: Partial<SyncStoreState>): SyncFixture {
  const store = createSyncStore(initial);
  const forceReplay = vi.fn(async () => undefined);
  const reload = vi.fn();
  const pipeline: SyncPipeline = {
    start: async () => undefined,
    ready: Promise.resolve(),
    getState: () => store.getState(),
    subscribe: (listener) => store.subscribe((state, previous) => listener(state, previous)),
    subscribeMetrics: (listener) => store.subscribe(() => listener()),
    forceReplay,
    cancel: () => undefined,
    metrics: () => emptyMetrics(),
    inspect: () => ({
      state: store.getState(),
      metrics: emptyMetrics(),
      ledger: {
        entities: { entities: 0, models: 0, tombstones: 0, memberVersions: 0 },
        events: { entities: 0, models: 0, tombstones: 0, memberVersions: 0 },
      },
      queueDepth: 0,
      openStreams: 0,
      replaying: false,
      config: SYNC_GUARD_DEFAULTS,
    }),
  };
  const value = { store, pipeline, reload, map: undefined };
  return { store, forceReplay, reload, wrap: (ui) => <SyncContext.Provider value={value}>{ui}</SyncContext.Provider> };
}

export const SPENT_BUDGET: Partial<SyncStoreState> = {
  status: "error",
  connection: "closed",
  replayAttempts: 3,
  canHardReload: true,
  lastError: new SyncError("SYNC_SUBSCRIBE_TIMEOUT", "The subscription never settled. Check that Torii is reachable."),
};
