import type { World } from "@dojoengine/recs";
import type { SyncLogger } from "../telemetry/logger";
import type { ToriiClientLike } from "../torii/client-types";
import { createSyncPipeline, type SyncPipelineOptions } from "./pipeline";
import type { SyncState } from "./state";
import type { ComponentsInput } from "./writer/bindings";
import type { SyncGuardConfig } from "./sync-guard-config";

export interface SyncGuardOptions {
  readonly logging?: boolean | SyncLogger;
  readonly guard?: Partial<SyncGuardConfig>;
  readonly onStateChange?: (state: SyncState, previous: SyncState) => void;
  /** Anything else the pipeline takes (version paths, queue limits, scopes, timers …). */
  readonly pipeline?: Partial<Omit<SyncPipelineOptions, "client" | "world" | "components" | "clause" | "guard">>;
}

export interface SyncEntitiesHandle {
  readonly ready: Promise<void>;
  cancel(): void;
  getState(): SyncState;
  forceReplay(): Promise<void>;
}

/**
 * The call shape games already use with `@dojoengine/state`, so adopting the SDK is a one-line change:
 * `syncEntitiesDebounced(toriiClient, { world, components: contractComponents }, clause)`.
 * Starts at once; `await` works on the result. `ready` resolves at the first consistent state.
 */
export function syncEntitiesDebounced(
  client: ToriiClientLike,
  target: { readonly world: World; readonly components: ComponentsInput },
  clause?: unknown,
  logging?: boolean,
  options: SyncGuardOptions = {},
): SyncEntitiesHandle {
  const onStateChange = options.onStateChange;
  const pipeline = createSyncPipeline({
    ...options.pipeline,
    client,
    world: target.world,
    components: target.components,
    clause,
    ...(options.guard === undefined ? {} : { guard: options.guard }),
    logging: options.logging ?? logging ?? false,
    ...(onStateChange === undefined ? {} : { onStateChange }),
  });
  void pipeline.start();
  return { ready: pipeline.ready, cancel: () => pipeline.cancel(), getState: () => pipeline.getState(), forceReplay: () => pipeline.forceReplay() };
}
