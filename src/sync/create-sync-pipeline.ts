import { createPipeline, type SyncPipeline } from "../core/pipeline";
import type { PipelineOptions } from "../core/pipeline-parts";
import type { SyncSource } from "../core/ports";
import { bindComponents } from "../core/writer/bindings";
import { createLogger, type SyncLogger } from "../core/log";
import type { ToriiClientLike } from "../torii/client-types";
import { createToriiSource, type ToriiSourceOptions, type WatermarkUnavailable } from "../torii/source";

/**
 * Everything `createSyncPipeline` takes: the engine's options (see PipelineOptions) with a Torii client in place of a
 * source, the client's transport options, and logging. Each setting has one place.
 */
export interface SyncPipelineOptions extends Omit<PipelineOptions, "source" | "logger">, Omit<ToriiSourceOptions, "timers" | "syncedModels"> {
  /** The Torii client (`await new ToriiClient(…)`), or anything with its methods. Either this or `source`. */
  readonly client?: ToriiClientLike;
  /** A ready source (a custom adapter of the core's port). Takes precedence over `client`. */
  readonly source?: SyncSource;
  /** `true` logs to the console, a logger logs to it, `false` is silent. @default false */
  readonly logging?: boolean | SyncLogger;
}

/**
 * The guarded sync pipeline over a Torii client: `createSyncPipeline({ client, world, components, toriiUrl })`, then
 * `start()`. The engine (src/core) wired to the Torii adapter (src/torii) and the logger (src/telemetry).
 */
export function createSyncPipeline(options: SyncPipelineOptions): SyncPipeline {
  const logger = createLogger(options.logging);
  const source = options.source ?? toriiSourceOf(options, logger);
  return createPipeline({ ...options, source, logger });
}

function toriiSourceOf(options: SyncPipelineOptions, logger: ReturnType<typeof createLogger>): SyncSource {
  if (options.client === undefined) throw new TypeError("createSyncPipeline needs a `client` (an awaited ToriiClient) or a `source`.");
  const { client, timers, ...rest } = options;
  const source = createToriiSource(client, { ...rest, ...(timers === undefined ? {} : { timers }), syncedModels: [...bindComponents(options.components).keys()].filter((model) => (options.models?.length ?? 0) === 0 || options.models?.includes(model)) });
  if (source.scopes.includes("entities")) warnDegraded(source.watermarkUnavailable, logger);
  return source;
}

const DEGRADED: Readonly<Record<WatermarkUnavailable, string>> = {
  "no-torii-url": "no `toriiUrl`: stall detection is degraded to pages that rotate through the synced scope; pass the URL your ToriiClient uses.",
  "clause-not-sql": "the clause has no SQL form (a Member clause?): stall detection uses pages that rotate through the synced scope.",
};

function warnDegraded(reason: WatermarkUnavailable | undefined, logger: ReturnType<typeof createLogger>): void {
  if (reason !== undefined) logger.once("warn", reason, DEGRADED[reason]);
}

export type { PipelineInspection, SyncPipeline } from "../core/pipeline";
