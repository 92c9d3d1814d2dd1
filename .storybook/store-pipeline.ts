import { createStore } from "zustand/vanilla";
import type { SyncEvent } from "../src/core/events";
import type { LedgerEntry } from "../src/core/ledger";
import { createListeners } from "../src/core/util/listeners";
import { trackEvents } from "../src/telemetry/event-log";
import { emptyMetrics } from "../src/core/metrics";
import type { SyncMetrics } from "../src/core/metrics";
import type { PipelineSnapshot, PipelineStore } from "../src/core/publisher";
import { INITIAL_SYNC_STATE, type SyncState } from "../src/core/state";
import { SYNC_GUARD_DEFAULTS } from "../src/core/sync-guard-config";
import { viewOf, type SyncStoreState } from "../src/store/sync-view";
import type { SyncPipeline } from "../src/sync/create-sync-pipeline";

/** A patch a story or a UI test moves the sync state with: state fields, and some metrics. */
export type FixtureState = Partial<SyncState> & { readonly metrics?: Partial<SyncMetrics> };

/**
 * A pipeline-shaped store ({ sync, metrics }, what the components read) moved by hand with flat patches, for stories
 * and UI tests that show a state without running a pipeline.
 */
export interface FixtureStore {
  /** What <SyncProvider> would share: the pipeline's store. */
  readonly pipelineStore: PipelineStore;
  getState(): SyncStoreState;
  setState(patch: FixtureState): void;
  subscribe(listener: (state: SyncStoreState, previous: SyncStoreState) => void): () => void;
}

export function createFixtureStore(initial: FixtureState = {}): FixtureStore {
  const snapshotOf = (base: PipelineSnapshot, patch: FixtureState): PipelineSnapshot => {
    const { metrics, ...sync } = patch;
    return { sync: { ...base.sync, ...sync }, metrics: metrics === undefined ? base.metrics : { ...base.metrics, ...metrics } };
  };
  const pipelineStore = createStore<PipelineSnapshot>()(() => snapshotOf({ sync: INITIAL_SYNC_STATE, metrics: emptyMetrics() }, initial));
  return {
    pipelineStore,
    getState: () => viewOf(pipelineStore.getState()),
    setState: (patch) => pipelineStore.setState(snapshotOf(pipelineStore.getState(), patch), true),
    subscribe: (listener) => pipelineStore.subscribe((next, previous) => listener(viewOf(next), viewOf(previous))),
  };
}

/** What a fixture pipeline knows besides its store: the events it has seen, and the entities its ledger holds. */
export interface PipelineFixture {
  /** Events already seen when the story starts (the panel lists them), oldest first. */
  readonly events?: readonly SyncEvent[];
  /** What `inspectEntity` answers, by padded id. */
  readonly entities?: ReadonlyArray<LedgerEntry & { readonly values: Readonly<Record<string, unknown>> }>;
}

/** A fixture pipeline, and how a story or a test makes an event happen on it. */
export type FixturePipeline = SyncPipeline & { emit(event: SyncEvent): void };

/**
 * A pipeline that is a view of a fixture store: its state, metrics and store are the fixture's, its events and ledger
 * are the fixture's, and only `forceReplay` does something (what the caller gives). Shared by the Storybook harness
 * and the browser fixture.
 */
export function storeBackedPipeline(fixture: FixtureStore, forceReplay: () => Promise<void>, extras: PipelineFixture = {}): FixturePipeline {
  const metrics = (): SyncMetrics => fixture.pipelineStore.getState().metrics;
  const events = createListeners<[SyncEvent]>();
  const pipeline: FixturePipeline = {
    start: async () => undefined,
    ready: Promise.resolve(),
    store: fixture.pipelineStore,
    getState: () => fixture.pipelineStore.getState().sync,
    subscribe: (listener) => fixture.pipelineStore.subscribe((next, previous) => listener(next.sync, previous.sync)),
    subscribeApplied: () => () => undefined,
    subscribeAdmitted: () => () => undefined,
    entityVersion: () => undefined,
    subscribeEvents: (listener) => events.add(listener),
    reportHardReload: () => events.emit({ type: "hard_reload_requested", at: Date.now() }),
    inspectEntity: (entityId) => extras.entities?.find((entry) => entry.entityId === entityId),
    forceReplay,
    cancel: () => undefined,
    metrics,
    inspect: () => ({
      config: SYNC_GUARD_DEFAULTS,
      state: fixture.pipelineStore.getState().sync,
      metrics: metrics(),
      ledger: {
        entities: { entities: extras.entities?.length ?? 0, models: 0, tombstones: 0, memberVersions: 0 },
        events: { entities: 0, models: 0, tombstones: 0, memberVersions: 0 },
      },
      openStreams: 1,
      replaying: fixture.pipelineStore.getState().sync.status === "replaying",
    }),
    emit: (event) => events.emit(event),
  };
  // Kept like a real pipeline's, so the panel lists what happened before it mounted.
  trackEvents(pipeline);
  for (const event of extras.events ?? []) events.emit(event);
  return pipeline;
}
