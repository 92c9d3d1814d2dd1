/** Timer functions, injected so tests can drive time with fake timers. Defaults read the globals lazily. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds since the epoch (Date.now), which fake timers control. */
  now(): number;
}

/** Lazy so that fake timers installed after the SDK is imported still take effect. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
};
