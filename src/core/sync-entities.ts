import type { World } from "@dojoengine/recs";
import type { SyncLogger } from "../telemetry/logger";
import type { ToriiClientLike } from "../torii/client-types";
import { createSyncPipeline, type SyncPipelineOptions } from "./pipeline";
import type { SyncState } from "./state";
import type { ComponentsInput } from "./writer/bindings";

/** Guard settings; the guard that reads them arrives with the liveness work, the defaults are fixed now. */
export interface SyncGuardConfig {
  /** Silence after which the guard probes the server. @default 30_000 */
  readonly heartbeatTimeoutMs: number;
  /** How often the guard checks for silence. @default 5_000 */
  readonly heartbeatCheckIntervalMs: number;
  /** Failed replays in a row before the status becomes `error`. @default 3 */
  readonly maxReplayAttempts: number;
  /** Entities per replay page. @default 40_000 */
  readonly replayPageLimit: number;
}

export const SYNC_GUARD_DEFAULTS: SyncGuardConfig = {
  heartbeatTimeoutMs: 30_000,
  heartbeatCheckIntervalMs: 5_000,
  maxReplayAttempts: 3,
  replayPageLimit: 40_000,
};

export interface SyncGuardOptions {
  readonly logging?: boolean | SyncLogger;
  readonly guard?: Partial<SyncGuardConfig>;
  readonly onStateChange?: (state: SyncState, previous: SyncState) => void;
  /** Anything else the pipeline takes (version paths, queue limits, scopes, timers …). */
  readonly pipeline?: Partial<Omit<SyncPipelineOptions, "client" | "world" | "components" | "clause">>;
}

export interface SyncEntitiesHandle {
  cancel(): void;
  getState(): SyncState;
  forceReplay(): Promise<void>;
}

/**
 * The call shape games already use with `@dojoengine/state`, so adopting the SDK is a one-line change:
 * `syncEntitiesDebounced(toriiClient, { world, components: contractComponents }, clause)`.
 * Starts at once; `await` works on the result, and the handle's `ready` is on `getState().status === "streaming"`.
 */
export function syncEntitiesDebounced(
  client: ToriiClientLike,
  target: { readonly world: World; readonly components: ComponentsInput },
  clause?: unknown,
  logging?: boolean,
  options: SyncGuardOptions = {},
): SyncEntitiesHandle {
  const guard = { ...SYNC_GUARD_DEFAULTS, ...options.guard };
  const onStateChange = options.onStateChange;
  const pipeline = createSyncPipeline({
    ...options.pipeline,
    client,
    world: target.world,
    components: target.components,
    clause,
    replayPageLimit: guard.replayPageLimit,
    logging: options.logging ?? logging ?? false,
    ...(onStateChange === undefined ? {} : { onStateChange }),
  });
  void pipeline.start();
  return { cancel: () => pipeline.cancel(), getState: () => pipeline.getState(), forceReplay: () => pipeline.forceReplay() };
}
