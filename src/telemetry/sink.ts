import type { Timers } from "../core/clock";
import type { SyncEvent } from "../core/events";
import type { PipelineStore } from "../core/publisher";

/** What a sink is attached to: one pipeline's name, store (`{ sync, metrics }`), event stream and clock. */
export interface SinkSource {
  /** The pipeline's name (`torii-sync:<world address or "default">`, or its `inspector` name). */
  readonly name: string;
  readonly store: PipelineStore;
  subscribeEvents(listener: (event: SyncEvent) => void): () => void;
  /** The pipeline's clock and timeouts (fake ones in tests), for throttling. */
  readonly timers: Timers;
}

/**
 * Where a pipeline's telemetry goes: `createMetricsSink(fn)`, `createPostHogSink(posthog)`, or your own. `attach` is
 * called once per pipeline the sink is given to, when the pipeline is created; the function it returns is called
 * when the pipeline is cancelled (flush, clear timers).
 */
export interface SyncSink {
  attach(source: SinkSource): () => void;
}

/**
 * Attach every sink to one pipeline; the returned function detaches them all (each once). A sink that throws while
 * attaching is reported outside the engine's loop and skipped: telemetry never stops a sync.
 */
export function attachSinks(source: SinkSource, sinks: readonly SyncSink[]): () => void {
  const detaches: Array<() => void> = [];
  for (const sink of sinks) {
    try {
      detaches.push(sink.attach(source));
    } catch (error) {
      reportLater(error);
    }
  }
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    for (const detach of detaches) {
      try {
        detach();
      } catch (error) {
        reportLater(error);
      }
    }
  };
}

/** Run the app's code (a sink's function) so that its throw surfaces later, never inside a drain or a replay. */
export function guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch (error) {
      reportLater(error);
    }
  };
}

function reportLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
