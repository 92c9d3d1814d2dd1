import type { SyncEvent } from "../core/events";
import type { SyncMetrics } from "../core/metrics";
import type { SyncState } from "../core/state";
import { guarded, type SinkSource, type SyncSink } from "./sink";
import { createThrottle, type Throttle } from "./throttle";

/** What a metrics sink's function receives: every event as it happens, and throttled snapshots of the store. */
export type MetricsSinkRecord =
  | { readonly kind: "event"; readonly pipeline: string; readonly event: SyncEvent }
  | {
      readonly kind: "snapshot";
      readonly pipeline: string;
      /** The pipeline's clock, ms. */
      readonly at: number;
      readonly sync: SyncState;
      /** A fresh copy: keep it as it is. */
      readonly metrics: SyncMetrics;
    };

export interface MetricsSinkOptions {
  /** At most one snapshot per this many ms (the first at once, the latest state at the end of each wait). @default 1_000 */
  readonly intervalMs?: number;
  /** Send events. @default true */
  readonly events?: boolean;
  /** Send snapshots of `{ sync, metrics }`. @default true */
  readonly snapshots?: boolean;
}

export const METRICS_SINK_DEFAULTS: Required<MetricsSinkOptions> = { intervalMs: 1_000, events: true, snapshots: true };

export interface MetricsSink extends SyncSink {
  /** Send a snapshot of every attached pipeline now, whatever the interval (before a report, on page hide). */
  flush(): void;
}

/**
 * A sink for anything: `createMetricsSink((record) => …)` gets each event (`kind: "event"`) and the pipeline's store
 * as throttled snapshots (`kind: "snapshot"`), plus a last snapshot when the pipeline is cancelled. Records carry the
 * pipeline's name, so one sink can serve several pipelines.
 */
export function createMetricsSink(fn: (record: MetricsSinkRecord) => void, options: MetricsSinkOptions = {}): MetricsSink {
  const config = { ...METRICS_SINK_DEFAULTS, ...options };
  const send = guarded(fn);
  const attached = new Set<() => void>();
  return {
    attach(source: SinkSource) {
      const snapshot = (at: number = source.timers.now()): void => {
        const { sync, metrics } = source.store.getState();
        send({ kind: "snapshot", pipeline: source.name, at, sync, metrics });
      };
      const throttle: Throttle | undefined = config.snapshots ? createThrottle(config.intervalMs, source.timers, snapshot) : undefined;
      const unsubscribeStore = throttle === undefined ? () => undefined : source.store.subscribe(() => throttle.request());
      const unsubscribeEvents = config.events ? source.subscribeEvents((event) => send({ kind: "event", pipeline: source.name, event })) : () => undefined;
      const flush = (): void => {
        if (config.snapshots) snapshot();
      };
      attached.add(flush);
      return () => {
        attached.delete(flush);
        unsubscribeStore();
        unsubscribeEvents();
        throttle?.close();
        flush();
      };
    },
    flush() {
      for (const flush of [...attached]) flush();
    },
  };
}
