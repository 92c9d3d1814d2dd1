import type { CoreLogger, LogFields, LogLevel } from "./ports";

/** Where the SDK writes its logs: `console` by default, anything with these four methods otherwise. */
export interface SyncLogger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export const LOG_TAG = "[sync-guard]";

/** The logger rooms outside the core write to (the map's, say): the core's port. */
export type TaggedLogger = CoreLogger;

/** A logger that says nothing: what `logging: false` gets. */
export const silentLogger: SyncLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The core's logger over `console` or the app's: every line tagged `[sync-guard]`, the record's fields (entity, model,
 * code…) handed on as a second argument, and `once` per key so a flood of bad input is one line.
 */
export function createLogger(logging: boolean | SyncLogger | undefined, fallback: SyncLogger = console): CoreLogger {
  const sink = logging === false || logging === undefined ? silentLogger : logging === true ? fallback : logging;
  const said = new Set<string>();
  const log = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (fields === undefined) sink[level](`${LOG_TAG} ${message}`);
    else sink[level](`${LOG_TAG} ${message}`, fields);
  };
  return {
    log,
    once(level, key, message, fields) {
      if (said.has(key)) return;
      // Bounded so a stream of distinct bad keys cannot grow memory without end.
      if (said.size > 10_000) said.clear();
      said.add(key);
      log(level, message, fields);
    },
  };
}
