/** Where the SDK writes its logs: `console` by default, anything with these four methods otherwise. */
export interface SyncLogger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export const LOG_TAG = "[sync-guard]";

/** A logger that says nothing: what `logging: false` gets. */
export const silentLogger: SyncLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Tags every line `[sync-guard]`, and can say a thing once per key so a flood of bad input does not flood the log. */
export interface TaggedLogger extends SyncLogger {
  once(level: keyof SyncLogger, key: string, message: string, ...details: unknown[]): void;
}

export function createLogger(logging: boolean | SyncLogger | undefined, fallback: SyncLogger = console): TaggedLogger {
  const sink = logging === false || logging === undefined ? silentLogger : logging === true ? fallback : logging;
  const said = new Set<string>();
  const tagged = (level: keyof SyncLogger) => (message: string, ...details: unknown[]) => sink[level](`${LOG_TAG} ${message}`, ...details);
  const logger: TaggedLogger = {
    debug: tagged("debug"),
    info: tagged("info"),
    warn: tagged("warn"),
    error: tagged("error"),
    once(level, key, message, ...details) {
      if (said.has(key)) return;
      // Bounded so a stream of distinct bad keys cannot grow memory without end.
      if (said.size > 10_000) said.clear();
      said.add(key);
      logger[level](message, ...details);
    },
  };
  return logger;
}
