/** Timer functions, injected so tests can drive time with fake timers. Defaults read the globals lazily. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds since the epoch (Date.now), which fake timers control. */
  now(): number;
  /** A sub-millisecond clock for time slicing (performance.now). Optional: `now` is used without it. */
  monotonic?(): number;
  /**
   * Run `callback` as soon as the event loop has had a turn, without a timer's clamp (≥ 1 ms in Node, ≥ 4 ms nested in
   * browsers). Optional: without it a zero-delay `setTimeout` is used.
   */
  defer?(callback: () => void): void;
}

/** Lazy so that fake timers installed after the SDK is imported still take effect. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
  monotonic: () => globalThis.performance.now(),
  defer: (callback) => {
    const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
    if (immediate !== undefined) immediate(callback);
    else postTask(callback);
  },
};

/** A MessageChannel turn: the browser's way to yield without setTimeout's clamp. */
let channel: MessageChannel | undefined;
const tasks: Array<() => void> = [];
function postTask(callback: () => void): void {
  if (typeof MessageChannel === "undefined") {
    globalThis.setTimeout(callback, 0);
    return;
  }
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => tasks.shift()?.();
  }
  tasks.push(callback);
  channel.port2.postMessage(undefined);
}
