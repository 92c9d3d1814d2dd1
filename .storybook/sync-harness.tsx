import type { Decorator, Loader, StoryContext } from "@storybook/react-vite";
import { fn, type Mock } from "storybook/test";
import { SyncContext, type SyncContextValue } from "../src/hooks/sync-context";
import { SyncError } from "../src/core/errors";
import type { SyncPipeline } from "../src/sync/create-sync-pipeline";
import { INITIAL_SYNC_STATE } from "../src/core/state";
import { createFixtureStore, storeBackedPipeline, type FixtureState, type FixtureStore } from "./store-pipeline";

/**
 * A pipeline-shaped store behind `SyncContext`, and a fake pipeline whose `forceReplay` and the provider's `reload` are
 * spies a play function can assert on. The store is what the components read; play functions move it.
 */
export interface SyncHarness {
  readonly store: FixtureStore;
  readonly pipeline: SyncPipeline;
  readonly forceReplay: Mock<() => Promise<void>>;
  readonly reload: Mock<() => void>;
  readonly value: SyncContextValue;
}

/** What a forced replay does to the store in a story: nothing by default. */
export type ReplayScript = (store: FixtureStore) => Promise<void>;

export function createSyncHarness(initial: FixtureState, replay: ReplayScript = async () => undefined): SyncHarness {
  const store = createFixtureStore(initial);
  const forceReplay = fn(() => replay(store)).mockName("pipeline.forceReplay");
  const reload = fn().mockName("reload");
  const pipeline = storeBackedPipeline(store, forceReplay);

  return { store, pipeline, forceReplay, reload, value: { store: store.pipelineStore, pipeline, reload, map: undefined } };
}

/** A loader giving each render of a story its own harness (`context.loaded.harness`). */
export function syncHarness(initial: FixtureState, replay?: ReplayScript): Loader {
  return () => ({ harness: createSyncHarness(initial, replay) });
}

export function harnessOf(context: Pick<StoryContext, "loaded">): SyncHarness {
  const harness = (context.loaded as { harness?: SyncHarness }).harness;
  if (harness === undefined) throw new Error("This story needs a `syncHarness(...)` loader.");
  return harness;
}

/** Puts the story under the harness's store and pipeline, as <SyncProvider> would. */
export const withSyncHarness: Decorator = (Story, context) => (
  <SyncContext.Provider value={harnessOf(context).value}>
    <Story />
  </SyncContext.Provider>
);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const LAGGING: FixtureState = { status: "lagging", connection: "open", lagMs: 42_000, reason: "probe: server ahead" };

export const REPLAYING: FixtureState = {
  status: "replaying",
  connection: "open",
  replayAttempts: 1,
  replayProgress: { pages: 3, entities: 1200 },
  reason: "gap signal",
};

export const STREAMING: FixtureState = {
  ...INITIAL_SYNC_STATE,
  status: "streaming",
  connection: "open",
  lastAppliedAt: 1_700_000_000_000,
  reason: "replay complete",
  metrics: {
    received: 18_432,
    applied: 17_950,
    droppedStale: 412,
    rejected: 3,
    queueDepth: 4,
    queueHighWater: 310,
    overflows: 0,
    gaps: 1,
    replays: 2,
    lastReplayMs: 1840,
    probes: 27,
  },
};

export const ERROR: FixtureState = {
  status: "error",
  connection: "closed",
  replayAttempts: 3,
  canHardReload: true,
  reason: "replay budget spent",
  lastError: new SyncError("SYNC_PAGE_TIMEOUT", "Snapshot page 4 timed out after 30000 ms. Check that Torii is reachable."),
};

/** A forced replay that works: progress while the status stays `error`, then back to streaming. */
export const recoverAfterReplay: ReplayScript = async (store) => {
  store.setState({ replayProgress: { pages: 1, entities: 400 } });
  await sleep(150);
  store.setState({ replayProgress: { pages: 2, entities: 900 } });
  await sleep(150);
  store.setState({ ...STREAMING, replayAttempts: 0, lastError: undefined, canHardReload: false, replayProgress: undefined });
};
