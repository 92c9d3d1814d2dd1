import { normalizeEntityId } from "../core/entity-id";
import type { SyncEvent } from "../core/events";
import type { LedgerEntry } from "../core/ledger";
import type { DropCounts } from "../core/drops";
import type { SyncMetrics } from "../core/metrics";
import type { PipelineInspection, SyncPipeline } from "../core/pipeline-api";
import type { SyncState } from "../core/state";
import { isDevelopment } from "./environment";
import type { EventLog } from "./event-log";

/** The global the inspector lives on: `window.__SYNC_DEBUG__` in a browser. */
export const SYNC_DEBUG_GLOBAL = "__SYNC_DEBUG__";

/** The queue's figures, as the seed asks for them. */
export interface SyncQueueStats {
  readonly depth: number;
  readonly highWater: number;
  /** Updates merged into an item already queued for the same entity. */
  readonly compacted: number;
  readonly overflows: number;
  readonly droppedByReason: Readonly<DropCounts>;
}

/** One pipeline in `window.__SYNC_DEBUG__`, for a developer's console. */
export interface SyncInspectorEntry {
  readonly name: string;
  state(): SyncState;
  metrics(): SyncMetrics;
  /** What the ledger holds for an entity (minimal or padded hex), with its RECS values; `undefined` if it holds nothing. */
  ledger(entityId: string): (LedgerEntry & { readonly values: Readonly<Record<string, unknown>> }) | undefined;
  /** The newest `n` events (all kept, up to 200, when omitted), oldest first. */
  events(n?: number): SyncEvent[];
  queue(): SyncQueueStats;
  /** Config, state, metrics, ledger sizes, streams open. */
  inspect(): PipelineInspection;
  forceReplay(): Promise<void>;
  /** Cancel the pipeline (and remove this entry). */
  cancel(): void;
}

/** `window.__SYNC_DEBUG__`: one entry per live pipeline, by name. */
export type SyncDebugRegistry = Record<string, SyncInspectorEntry>;

/**
 * `inspector` as the options take it: a name, `true` (the default name, in any build), `false` (never); unset means
 * the default name in development builds only.
 */
export type InspectorOption = boolean | string | undefined;

/** The name a pipeline goes by when not given one: `torii-sync:<first world address>`, or `torii-sync:default`. */
export function defaultPipelineName(worldAddresses: readonly string[] | undefined): string {
  const world = worldAddresses?.[0];
  return `torii-sync:${world === undefined || world === "" ? "default" : world}`;
}

/** The name to register under, or `undefined` when no entry is wanted. */
export function inspectorName(option: InspectorOption, fallback: string, development: boolean = isDevelopment()): string | undefined {
  if (option === false) return undefined;
  if (typeof option === "string" && option !== "") return option;
  if (option === true) return fallback;
  // Unset: development builds only, and only where there is a window to debug from.
  return development && typeof (globalThis as { window?: unknown }).window !== "undefined" ? fallback : undefined;
}

/** The registry on the global object, if any pipeline is registered. */
export function syncDebugRegistry(): SyncDebugRegistry | undefined {
  return (globalThis as Record<string, unknown>)[SYNC_DEBUG_GLOBAL] as SyncDebugRegistry | undefined;
}

/**
 * Register `pipeline` under `name` in `window.__SYNC_DEBUG__` (on `globalThis`), made unique with `#2`, `#3`… when a
 * live pipeline already has the name. Returns the name used and the removal (which deletes the registry itself once
 * empty, leaving the global as it was).
 */
export function registerInspector(name: string, pipeline: SyncPipeline, events: EventLog): { readonly name: string; remove(): void } {
  const global = globalThis as Record<string, unknown>;
  const registry = (global[SYNC_DEBUG_GLOBAL] ??= {}) as SyncDebugRegistry;
  let unique = name;
  for (let n = 2; unique in registry; n += 1) unique = `${name}#${n}`;
  const entry: SyncInspectorEntry = {
    name: unique,
    state: () => pipeline.getState(),
    metrics: () => pipeline.metrics(),
    ledger: (entityId) => pipeline.inspectEntity(normalizeEntityId(entityId)),
    events: (n) => events.recent(n),
    queue() {
      const m = pipeline.metrics();
      return { depth: m.queueDepth, highWater: m.queueHighWater, compacted: m.compacted, overflows: m.overflows, droppedByReason: m.droppedByReason };
    },
    inspect: () => pipeline.inspect(),
    forceReplay: () => pipeline.forceReplay(),
    cancel: () => pipeline.cancel(),
  };
  registry[unique] = entry;
  let removed = false;
  return {
    name: unique,
    remove() {
      if (removed) return;
      removed = true;
      const current = global[SYNC_DEBUG_GLOBAL] as SyncDebugRegistry | undefined;
      if (current?.[unique] !== entry) return;
      delete current[unique];
      if (Object.keys(current).length === 0) delete global[SYNC_DEBUG_GLOBAL];
    },
  };
}
