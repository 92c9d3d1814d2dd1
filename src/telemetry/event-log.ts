import type { SyncEvent } from "../core/events";

/** How many recent events a pipeline keeps for the inspector and the debug panel. */
export const EVENT_LOG_CAPACITY = 200;

/** The last `capacity` events, oldest first: a ring, so a long session costs a fixed amount of memory. */
export interface EventLog {
  push(event: SyncEvent): void;
  /** The newest `n` events (all kept when `n` is omitted), oldest first. */
  recent(n?: number): SyncEvent[];
  readonly size: number;
  readonly capacity: number;
}

export function createEventLog(capacity: number = EVENT_LOG_CAPACITY): EventLog {
  const slots: Array<SyncEvent | undefined> = new Array<SyncEvent | undefined>(Math.max(1, capacity));
  let next = 0;
  let size = 0;
  return {
    push(event) {
      slots[next] = event;
      next = (next + 1) % slots.length;
      size = Math.min(size + 1, slots.length);
    },
    recent(n = size) {
      const count = Math.max(0, Math.min(Math.floor(n), size));
      const out: SyncEvent[] = [];
      for (let i = count; i > 0; i -= 1) out.push(slots[(next - i + slots.length) % slots.length] as SyncEvent);
      return out;
    },
    get size() {
      return size;
    },
    get capacity() {
      return slots.length;
    },
  };
}

/** Anything with a pipeline's event stream. */
export interface EventSource {
  subscribeEvents(listener: (event: SyncEvent) => void): () => void;
}

const logs = new WeakMap<object, EventLog>();

/**
 * Keep the recent events of `pipeline` from now on, readable with `recentSyncEvents(pipeline)` (the debug panel shows
 * what happened before it mounted). Idempotent; returns the stop.
 */
export function trackEvents(pipeline: EventSource, capacity: number = EVENT_LOG_CAPACITY): { readonly log: EventLog; stop(): void } {
  const existing = logs.get(pipeline);
  if (existing !== undefined) return { log: existing, stop: () => undefined };
  const log = createEventLog(capacity);
  logs.set(pipeline, log);
  const unsubscribe = pipeline.subscribeEvents((event) => log.push(event));
  return { log, stop: unsubscribe };
}

/** The newest `n` events a tracked pipeline has seen (every pipeline `createSyncPipeline` makes is), oldest first. */
export function recentSyncEvents(pipeline: object, n?: number): SyncEvent[] {
  return logs.get(pipeline)?.recent(n) ?? [];
}
