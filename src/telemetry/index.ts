// The telemetry room: sinks (PostHog, any function), the structured logger, the inspector (window.__SYNC_DEBUG__) and
// the recent-events log. Re-exported by the engine entry (src/sync) and the React entry.
export { createMetricsSink, METRICS_SINK_DEFAULTS } from "./metrics-sink";
export type { MetricsSink, MetricsSinkOptions, MetricsSinkRecord } from "./metrics-sink";
export { createPostHogSink, POSTHOG_SINK_DEFAULTS } from "./posthog-sink";
export type { PostHogLike, PostHogSinkOptions } from "./posthog-sink";
export type { PostHogProperties, PostHogValue } from "./posthog-properties";
export type { SinkSource, SyncSink } from "./sink";
export { createStructuredLogger } from "./structured-logger";
export type { StructuredLoggerOptions, SyncLogRecord, SyncLogSink } from "./structured-logger";
export { isDevelopment } from "./environment";
export { EVENT_LOG_CAPACITY, recentSyncEvents } from "./event-log";
export { SYNC_DEBUG_GLOBAL, syncDebugRegistry } from "./inspector";
export type { SyncDebugRegistry, SyncInspectorEntry, SyncQueueStats } from "./inspector";
