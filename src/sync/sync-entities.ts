import type { World } from "@dojoengine/recs";
import type { SyncMetrics } from "../core/metrics";
import type { SyncState } from "../core/state";
import type { ComponentsInput } from "../core/writer/bindings";
import type { ToriiClientLike } from "../torii/client-types";
import { createSyncPipeline, type SyncPipelineOptions } from "./create-sync-pipeline";
import { checkRanges } from "../core/option-ranges";
import { GUARD_RANGES } from "../core/sync-guard-config";

/**
 * Everything `syncEntitiesDebounced` takes besides the client, the world and the clause: the pipeline's options, each
 * in one place (`logging`, `guard`, `onStateChange`, `toriiUrl`, `versionPaths`, …).
 */
export type SyncGuardOptions = Omit<SyncPipelineOptions, "client" | "world" | "components" | "clause" | "source">;

export interface SyncEntitiesHandle {
  /** Resolves at the first consistent state; rejects if the budget is spent first (or the sync is cancelled). */
  readonly ready: Promise<void>;
  cancel(): void;
  getState(): SyncState;
  /** Called on every state change; returns the unsubscribe. */
  subscribe(listener: (state: SyncState, previous: SyncState) => void): () => void;
  metrics(): SyncMetrics;
  forceReplay(): Promise<void>;
}

/**
 * Keep a RECS world in sync with Torii, guarded: `syncEntitiesDebounced(toriiClient, { world, components }, clause,
 * { toriiUrl })`. Starts at once; `ready` resolves at the first consistent state. The older call shape with a
 * `logging` boolean as the fourth argument is accepted too (then the options come fifth, without `logging`).
 */
export function syncEntitiesDebounced(client: ToriiClientLike, target: SyncTarget, clause?: unknown, options?: SyncGuardOptions): SyncEntitiesHandle;
export function syncEntitiesDebounced(client: ToriiClientLike, target: SyncTarget, clause: unknown, logging: boolean, options?: Omit<SyncGuardOptions, "logging">): SyncEntitiesHandle;
export function syncEntitiesDebounced(
  client: ToriiClientLike,
  target: SyncTarget,
  clause?: unknown,
  loggingOrOptions?: boolean | SyncGuardOptions,
  more: Omit<SyncGuardOptions, "logging"> = {},
): SyncEntitiesHandle {
  const options: SyncGuardOptions = typeof loggingOrOptions === "boolean" ? { ...more, logging: loggingOrOptions } : (loggingOrOptions ?? {});
  const pipeline = createSyncPipeline({ ...options, client, world: target.world, components: target.components, clause });
  void pipeline.start();
  return {
    ready: pipeline.ready,
    cancel: () => pipeline.cancel(),
    getState: () => pipeline.getState(),
    subscribe: (listener) => pipeline.subscribe(listener),
    metrics: () => pipeline.metrics(),
    forceReplay: () => pipeline.forceReplay(),
  };
}

/** The world and the game's components (`contractComponents` as Dojo's codegen writes them, or an array). */
export interface SyncTarget {
  readonly world: World;
  readonly components: ComponentsInput;
}

/** What `@dojoengine/state`'s `getSyncEntities` resolves to: something with `cancel()`. */
export interface SyncSubscription {
  cancel(): void;
  /** The guarded sync behind it, for its state, metrics and forceReplay. */
  readonly sync: SyncEntitiesHandle;
}

/**
 * `@dojoengine/state`'s `getSyncEntities(client, components, clause, orderBy?, entityModels?, limit?, logging?)` with
 * the guard behind it: swap the import, keep the call. Differences: it needs the RECS `world` the components belong
 * to (RECS keeps it on each component, so it is read from there), `orderBy` is ignored (the replay pages by cursor), and
 * it resolves once the first consistent state is in RECS (subscribe-first: no update between snapshot and stream is
 * lost). Pass `toriiUrl` in `options` for full stall detection.
 */
export async function getSyncEntities(
  client: ToriiClientLike,
  components: ComponentsInput,
  clause?: unknown,
  _orderBy?: unknown,
  entityModels?: readonly string[],
  limit?: number,
  logging = false,
  options: Omit<SyncGuardOptions, "logging" | "models"> = {},
): Promise<SyncSubscription> {
  const list = Array.isArray(components) ? components : Object.values(components);
  const world = (list[0] as { world?: World } | undefined)?.world;
  if (world === undefined) throw new TypeError("getSyncEntities needs at least one RECS component (it reads the world from it).");
  // Named as the caller wrote it: it becomes guard.replayPageLimit, and is held to that setting's range.
  checkRanges("getSyncEntities", { limit }, { limit: { ...GUARD_RANGES.replayPageLimit, optional: true } });
  const sync = syncEntitiesDebounced(client, { world, components }, clause, {
    ...options,
    logging,
    ...(entityModels === undefined ? {} : { models: entityModels }),
    ...(limit === undefined ? {} : { guard: { ...options.guard, replayPageLimit: limit } }),
  });
  await sync.ready;
  return { cancel: () => sync.cancel(), sync };
}
