import type { ReactNode } from "react";
import { vi, type Mock } from "vitest";
import { SyncContext } from "../../src/hooks/sync-context";
import { SyncError } from "../../src/core/errors";
import { createFixtureStore, storeBackedPipeline, type FixtureState, type FixtureStore } from "../../.storybook/store-pipeline";

export interface SyncFixture {
  readonly store: FixtureStore;
  readonly forceReplay: Mock<() => Promise<void>>;
  readonly reload: Mock<() => void>;
  /** Wraps UI in the fixture's store and fake pipeline, as <SyncProvider> would. */
  readonly wrap: (ui: ReactNode) => ReactNode;
}

/** A real store and a fake pipeline whose only live part is an observable `forceReplay`. */
export function createSyncFixture(initial: FixtureState): SyncFixture {
  const store = createFixtureStore(initial);
  const forceReplay = vi.fn(async () => undefined);
  const reload = vi.fn();
  const pipeline = storeBackedPipeline(store, forceReplay);

  const value = { store: store.pipelineStore, pipeline, reload, map: undefined };
  return { store, forceReplay, reload, wrap: (ui) => <SyncContext.Provider value={value}>{ui}</SyncContext.Provider> };
}

export const SPENT_BUDGET: FixtureState = {
  status: "error",
  connection: "closed",
  replayAttempts: 3,
  canHardReload: true,
  lastError: new SyncError("SYNC_SUBSCRIBE_TIMEOUT", "The subscription never settled. Check that Torii is reachable."),
};
