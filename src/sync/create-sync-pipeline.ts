import { createPipeline, type SyncPipeline } from "../core/pipeline";
import type { PipelineOptions } from "../core/pipeline-parts";
import type { CoreLogger, SyncSource } from "../core/ports";
import { bindComponents } from "../core/writer/bindings";
import type { SyncLogger } from "../core/log";
import { defaultPipelineName, type InspectorOption } from "../telemetry/inspector";
import { observePipeline } from "../telemetry/observe";
import type { SyncSink } from "../telemetry/sink";
import { createStructuredLogger, type SyncLogSink } from "../telemetry/structured-logger";
import type { ToriiClientLike } from "../torii/client-types";
import { createToriiSource, type ToriiSourceOptions, type WatermarkUnavailable } from "../torii/source";
import type { PersistOptions } from "../persist/index";
import { withEntityFetcher } from "./entity-fetcher";
import { persistedCache } from "./persist";
import { shareAcrossTabs } from "./tabs";
import { checkPipelineOptions } from "../core/pipeline-parts";

/**
 * Everything `createSyncPipeline` takes: the engine's options (see PipelineOptions) with a Torii client in place of a
 * source, the client's transport options, and logging. Each setting has one place.
 */
export interface SyncPipelineOptions extends Omit<PipelineOptions, "source" | "logger" | "persist">, Omit<ToriiSourceOptions, "timers" | "syncedModels"> {
  /** The Torii client (`await new ToriiClient(…)`), or anything with its methods. Either this or `source`. */
  readonly client?: ToriiClientLike;
  /** A ready source (a custom adapter of the core's port). Takes precedence over `client`. */
  readonly source?: SyncSource;
  /**
   * Readable `[sync-guard] …` lines: `true` to the console, a console-like logger to it, `false` nowhere.
   * @default the console in development builds, nothing in production builds (or when `logger` is given)
   */
  readonly logging?: boolean | SyncLogger;
  /**
   * Structured records `{ level, tag: "sync", message, entityId?, model?, version?, block?, code?, pipeline }` to the
   * app's own logger (pino, Sentry…). Floods are one record per kind, as in the console. @default none
   */
  readonly logger?: SyncLogSink;
  /** Where events and metrics snapshots go: `createPostHogSink(posthog)`, `createMetricsSink(fn)`. @default [] (nothing is sent) */
  readonly sinks?: readonly SyncSink[];
  /**
   * The `window.__SYNC_DEBUG__` entry: a name (`"torii-sync:game"`), `true` for the default name in any build, `false`
   * for none. Made unique with `#2`… when two pipelines share a name; removed on `cancel()`.
   * @default `torii-sync:<first world address or "default">`, in development builds only
   */
  readonly inspector?: boolean | string;
  /**
   * Keep the synced world in IndexedDB (one cache per world address, schema and SDK version): the next start shows it
   * at once (state `fromCache`), then a replay confirms or corrects it, admitted against the cached versions. Storage
   * trouble (no IndexedDB, quota, a blocked upgrade, a corrupt record) is never fatal: a `SYNC_CACHE_*` error is counted
   * in `metrics().cache`, logged once, the cache dropped, and the sync goes on from the network.
   * `clearPersistedSync(name?)` removes it. @default false
   */
  readonly persist?: PersistOptions | false;
}

/**
 * The guarded sync pipeline over a Torii client: `createSyncPipeline({ client, world, components, toriiUrl })`, then
 * `start()`. The engine (src/core) wired to the Torii adapter (src/torii) and to telemetry (src/telemetry): the structured
 * logger, the sinks and the `window.__SYNC_DEBUG__` inspector.
 */
export function createSyncPipeline(options: SyncPipelineOptions): SyncPipeline {
  // First: a bad setting must fail before a cache, a channel between tabs or a source is made.
  checkPipelineOptions(options);
  // The logs name the pipeline as its inspector entry and its sinks do: made unique (`#2`) when it registers.
  let name = pipelineName(options.inspector, options.worldAddresses);
  const logger = createStructuredLogger({ logging: options.logging, logger: options.logger, pipeline: () => name });
  const { persist: persistOption, ...engineOptions } = options;
  const persist = persistedCache(persistOption, { components: options.components, worldAddresses: options.worldAddresses, timers: options.timers, scope: { clause: options.clause, models: options.models } });
  const torii = options.source ?? toriiSourceOf(options, logger);
  // With a cache, one tab of the origin syncs for all (when the browser can elect one).
  const tabs = persist === undefined || persistOption === false || persistOption === undefined ? undefined : shareAcrossTabs(persistOption.tabs, persist, torii, options.timers);
  const engine = createPipeline({ ...engineOptions, source: tabs?.source ?? torii, logger, ...(persist === undefined ? {} : { persist: persist.factory }) });
  return observePipeline(tabs === undefined ? engine : tabs.attach(engine), { name, sinks: options.sinks, inspector: options.inspector, timers: options.timers, onNamed: (unique) => (name = unique) });
}

/** The pipeline's name: its inspector name when given one, else `torii-sync:<first world address or "default">`. */
function pipelineName(inspector: InspectorOption, worldAddresses: readonly string[] | undefined): string {
  return typeof inspector === "string" && inspector !== "" ? inspector : defaultPipelineName(worldAddresses);
}

function toriiSourceOf(options: SyncPipelineOptions, logger: CoreLogger): SyncSource {
  if (options.client === undefined) throw new TypeError("createSyncPipeline needs a `client` (an awaited ToriiClient) or a `source`.");
  const { client, timers, ...rest } = options;
  const source = createToriiSource(client, { ...rest, ...(timers === undefined ? {} : { timers }), syncedModels: [...bindComponents(options.components).keys()].filter((model) => (options.models?.length ?? 0) === 0 || options.models?.includes(model)) });
  if (source.scopes.includes("entities")) warnDegraded(source.watermarkUnavailable, logger);
  // A warm start can then replay only what changed since the cache's watermark.
  return options.persist === undefined || options.persist === false ? source : withEntityFetcher(source, client, { ...rest, ...(timers === undefined ? {} : { timers }) });
}

const DEGRADED: Readonly<Record<WatermarkUnavailable, string>> = {
  "no-torii-url": "no `toriiUrl`: stall detection is degraded to pages that rotate through the synced scope; pass the URL your ToriiClient uses.",
  "clause-not-sql": "the clause has no SQL form (a Member clause?): stall detection uses pages that rotate through the synced scope.",
};

function warnDegraded(reason: WatermarkUnavailable | undefined, logger: CoreLogger): void {
  if (reason !== undefined) logger.once("warn", reason, DEGRADED[reason]);
}

export type { PipelineInspection, SyncPipeline } from "../core/pipeline";
