import { LOG_TAG, silentLogger, type SyncLogger } from "../core/log";
import type { CoreLogger, LogFields, LogLevel } from "../core/ports";
import { callSafely } from "../core/util/listeners";
import { isDevelopment } from "./environment";

/**
 * One log record of the SDK, for the app's own logger (pino, Sentry breadcrumbs, Datadog…). `tag` is always `"sync"`;
 * the fields say which entity, model, version (block time, seconds), block and error code a line is about, when the
 * engine knows them.
 */
export interface SyncLogRecord extends LogFields {
  readonly level: LogLevel;
  readonly tag: "sync";
  readonly message: string;
  /** The pipeline's name (its inspector name: `torii-sync:<world address or "default">` unless given). */
  readonly pipeline: string;
}

/** Where structured records go: `(record) => pino[record.level]({ ...record }, record.message)`. */
export type SyncLogSink = (record: SyncLogRecord) => void;

export interface StructuredLoggerOptions {
  /**
   * Readable `[sync-guard] …` lines: `true` to the console, a console-like logger to it, `false` nowhere.
   * @default the console in development builds (see isDevelopment), nothing in production or when `logger` is given
   */
  readonly logging?: boolean | SyncLogger | undefined;
  /** Every record, structured, to the app's own logger. @default none */
  readonly logger?: SyncLogSink | undefined;
  /**
   * The pipeline's name, carried by every record; a function when it is known only later (made unique among the live
   * pipelines when the inspector registers it). @default "torii-sync:default"
   */
  readonly pipeline?: string | (() => string);
  /** Whether this is a development build. @default isDevelopment() */
  readonly development?: boolean;
  /** Where `logging: true` (and the development default) prints. @default console */
  readonly console?: SyncLogger;
}

/** Distinct `once` keys remembered before the memory is cleared: a stream of distinct bad keys cannot grow it without end. */
const ONCE_KEYS_LIMIT = 10_000;

/**
 * The core's logger (its `CoreLogger` port), built by the composition root: each record goes to the app's `logger`
 * as a structured record and, as a readable line tagged `[sync-guard]` with its fields beside it, to the console
 * (or the given console-like logger). `once` says a thing once per key, so a flood of bad input is one record.
 */
export function createStructuredLogger(options: StructuredLoggerOptions = {}): CoreLogger {
  const lines = lineSink(options);
  const records = options.logger;
  const named = options.pipeline ?? "torii-sync:default";
  const said = new Set<string>();
  // The app's logger failing must not break a drain or a replay: its throw is surfaced outside the engine's loop.
  const log = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (lines !== undefined) callSafely(fields === undefined ? () => lines[level](`${LOG_TAG} ${message}`) : () => lines[level](`${LOG_TAG} ${message}`, fields));
    if (records !== undefined) callSafely(records, { ...fields, level, tag: "sync", message, pipeline: typeof named === "string" ? named : named() });
  };
  return {
    log,
    once(level, key, message, fields) {
      if (said.has(key)) return;
      if (said.size >= ONCE_KEYS_LIMIT) said.clear();
      said.add(key);
      log(level, message, fields);
    },
  };
}

function lineSink(options: StructuredLoggerOptions): SyncLogger | undefined {
  const { logging } = options;
  if (logging === false) return undefined;
  if (logging === true) return options.console ?? console;
  if (logging !== undefined) return logging === silentLogger ? undefined : logging;
  // Not said: readable lines in development, unless the app routes records to its own logger.
  if (options.logger !== undefined) return undefined;
  return (options.development ?? isDevelopment()) ? (options.console ?? console) : undefined;
}
