import { systemTimers, type Timers } from "../core/clock";
import type { SyncPipeline } from "../core/pipeline-api";
import { trackEvents } from "./event-log";
import { inspectorName, registerInspector, type InspectorOption } from "./inspector";
import { attachSinks, type SyncSink } from "./sink";

export interface ObserveOptions {
  /** The pipeline's name before uniqueness (`torii-sync:<world address or "default">`, or the inspector's name). */
  readonly name: string;
  readonly sinks?: readonly SyncSink[] | undefined;
  readonly inspector?: InspectorOption;
  readonly timers?: Timers | undefined;
  /** @default isDevelopment() */
  readonly development?: boolean | undefined;
  /** Told the name the pipeline goes by (unique among live pipelines once its inspector entry is registered). */
  readonly onNamed?: ((name: string) => void) | undefined;
}

/**
 * The pipeline with its telemetry around it: its recent events kept (for the panel and the inspector), its sinks
 * attached, its `window.__SYNC_DEBUG__` entry registered when wanted. `cancel()` cancels the engine first (the sinks
 * see its last state), then detaches the sinks and removes the entry. Nothing else changes: every other member is the
 * engine's own.
 */
export function observePipeline(engine: SyncPipeline, options: ObserveOptions): SyncPipeline {
  let detachSinks: () => void = () => undefined;
  let removeEntry: () => void = () => undefined;
  let stopTracking: () => void = () => undefined;
  const pipeline: SyncPipeline = {
    ...engine,
    cancel() {
      // A throw on the way (a sink's detach, say) must not leave the entry, the other sinks or the tracking behind.
      try {
        engine.cancel();
      } finally {
        try {
          detachSinks();
        } finally {
          removeEntry();
          stopTracking();
        }
      }
    },
  };
  const tracked = trackEvents(pipeline);
  stopTracking = tracked.stop;
  const wanted = inspectorName(options.inspector, options.name, options.development);
  const entry = wanted === undefined ? undefined : registerInspector(wanted, pipeline, tracked.log);
  if (entry !== undefined) removeEntry = entry.remove;
  options.onNamed?.(entry?.name ?? options.name);
  if (options.sinks !== undefined && options.sinks.length > 0) {
    detachSinks = attachSinks(
      { name: entry?.name ?? options.name, store: engine.store, subscribeEvents: (listener) => engine.subscribeEvents(listener), timers: options.timers ?? systemTimers },
      options.sinks,
    );
  }
  return pipeline;
}
