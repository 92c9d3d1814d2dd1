import { createMetricsSink, type MetricsSinkRecord, type SyncEvent, type SyncMetrics } from "torii-sync-guard";

/** What the page shows of the sink: its newest events and its last metrics snapshot. */
export interface TelemetryFeed {
  readonly events: readonly SyncEvent[];
  readonly snapshot: SyncMetrics | undefined;
}

const SHOWN = 12;
let feed: TelemetryFeed = { events: [], snapshot: undefined };
const listeners = new Set<() => void>();

function take(record: MetricsSinkRecord): void {
  feed = record.kind === "event" ? { ...feed, events: [...feed.events.slice(-(SHOWN - 1)), record.event] } : { ...feed, snapshot: record.metrics };
  for (const listener of listeners) listener();
}

/**
 * The demo routes its pipeline through a sink, as a game would route it to PostHog (`createPostHogSink(posthog)`):
 * every event, and a metrics snapshot at most once a second.
 */
export const demoSink = createMetricsSink(take, { intervalMs: 1_000 });

export function subscribeTelemetry(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function readTelemetry(): TelemetryFeed {
  return feed;
}
