import type { Decorator, Loader, StoryContext } from "@storybook/react-vite";
import { fn, type Mock } from "storybook/test";
import { SyncContext, type SyncContextValue } from "../src/hooks/sync-context";
import { SyncError } from "../src/core/errors";
import { INITIAL_SYNC_STATE } from "../src/core/state";
import type { EntityId } from "../src/core/entity-id";
import type { SyncEvent } from "../src/core/events";
import { createFixtureStore, storeBackedPipeline, type FixturePipeline, type FixtureState, type FixtureStore, type PipelineFixture } from "./store-pipeline";

/**
 * A pipeline-shaped store behind `SyncContext`, and a fake pipeline whose `forceReplay` and the provider's `reload` are
 * spies a play function can assert on. The store is what the components read; play functions move it.
 */
export interface SyncHarness {
  readonly store: FixtureStore;
  readonly pipeline: FixturePipeline;
  readonly forceReplay: Mock<() => Promise<void>>;
  readonly reload: Mock<() => void>;
  readonly value: SyncContextValue;
}

/** What a forced replay does to the store in a story: nothing by default. */
export type ReplayScript = (store: FixtureStore) => Promise<void>;

export function createSyncHarness(initial: FixtureState, replay: ReplayScript = async () => undefined, extras: PipelineFixture = {}): SyncHarness {
  const store = createFixtureStore(initial);
  const forceReplay = fn(() => replay(store)).mockName("pipeline.forceReplay");
  const reload = fn().mockName("reload");
  const pipeline = storeBackedPipeline(store, forceReplay, extras);

  return { store, pipeline, forceReplay, reload, value: { store: store.pipelineStore, pipeline, reload, map: undefined } };
}

/** A loader giving each render of a story its own harness (`context.loaded.harness`). */
export function syncHarness(initial: FixtureState, replay?: ReplayScript, extras?: PipelineFixture): Loader {
  return () => ({ harness: createSyncHarness(initial, replay, extras) });
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

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** A morning of a game client: boot, a reconnect gap and its replay, a probe, one malformed update. */
export const SAMPLE_EVENTS: readonly SyncEvent[] = [
  { type: "replay_started", at: T0, reason: "boot", forced: false, attempt: 1 },
  { type: "replay_finished", at: T0 + 1_840, durationMs: 1_840, pages: 3, entities: 1_200 },
  { type: "probe", at: T0 + 32_000, reason: "silence", outcome: "healthy" },
  { type: "gap", at: T0 + 61_250 },
  { type: "evidence", at: T0 + 61_250, evidence: "gap", detail: "the client reconnected by itself and may have missed updates" },
  { type: "replay_started", at: T0 + 61_251, reason: "gap: the client reconnected by itself", forced: false, attempt: 1 },
  { type: "replay_finished", at: T0 + 62_900, durationMs: 1_649, pages: 3, entities: 1_204 },
  { type: "rejected", at: T0 + 75_010, code: "SYNC_BAD_VALUE", model: "s1_eternum-Army", message: "x is not a u32" },
];

/** An army's entity as the ledger holds it: one live model, a deleted one, one with a member newer than its version. */
export const ARMY_ENTITY: NonNullable<PipelineFixture["entities"]>[number] = {
  entityId: `0x${"2a".padStart(64, "0")}` as EntityId,
  deletedAt: undefined,
  seenAt: 1_764_590_460,
  models: [
    { model: "s1_eternum-Army", deleted: false, at: 1_764_590_460, version: 1_764_590_460, members: {} },
    { model: "s1_eternum-Tile", deleted: false, at: 1_764_590_401, version: 1_764_590_380, members: { explored: 1_764_590_401 } },
    { model: "s1_eternum-Battle", deleted: true, at: 1_764_590_300, version: 1_764_590_300, members: {} },
  ],
  values: {
    "s1_eternum-Army": { owner: 0x1234n, x: 2_147_483_646, y: 2_147_483_647, troops: 500n },
    "s1_eternum-Tile": { biome: "Grassland", explored: true },
  },
};
