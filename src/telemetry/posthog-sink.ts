import type { SyncEventType } from "../core/events";
import { eventProperties, metricsProperties, postHogEventName, type PostHogProperties, type PostHogValue } from "./posthog-properties";
import { guarded, type SinkSource, type SyncSink } from "./sink";
import { createThrottle } from "./throttle";

/** What the sink needs of a PostHog client: `posthog-js`'s instance (`posthog` after `posthog.init(…)`) has it. */
export interface PostHogLike {
  capture(event: string, properties?: Record<string, unknown> | null): unknown;
}

export interface PostHogSinkOptions {
  /** At most one `sync_metrics` snapshot per this many ms, read from the pipeline's store. @default 60_000 */
  readonly snapshotIntervalMs?: number;
  /**
   * The fraction of events sent, 0 to 1. State changes (`sync_state_changed`), `sync_budget_spent` and
   * `sync_hard_reload_requested` are always sent: they are rare and they are what an alert watches. @default 1
   */
  readonly sampleRate?: number;
  /**
   * At most this many sampled events per minute and pipeline (a flood of malformed input is thousands of
   * `sync_rejected`); past it events are dropped until the minute ends; `sync_metrics` still counts them. The
   * always-sent kinds are not limited. @default 120
   */
  readonly maxEventsPerMinute?: number;
  /** Randomness for sampling (tests inject it). @default Math.random */
  readonly random?: () => number;
  /** Send hashed entity ids (`entity_id` on `sync_rejected`). They can identify a player: see PropertyPolicy. @default false */
  readonly includeEntityIds?: boolean;
  /** Event kinds to send; `[]` sends only snapshots. @default every kind */
  readonly events?: readonly SyncEventType[];
  /** Properties added to every capture (a build id, a region). Keep them free of personal data. @default {} */
  readonly properties?: Readonly<Record<string, PostHogValue>>;
  /** Prefix of every event name. @default "sync_" */
  readonly prefix?: string;
  /** Let these events create PostHog person profiles (`$process_person_profile`). @default false */
  readonly personProfiles?: boolean;
}

export const POSTHOG_SINK_DEFAULTS = {
  snapshotIntervalMs: 60_000,
  sampleRate: 1,
  maxEventsPerMinute: 120,
  includeEntityIds: false,
  prefix: "sync_",
  personProfiles: false,
} as const;

/** Sent whatever the sample rate. */
const ALWAYS_SENT: ReadonlySet<SyncEventType> = new Set<SyncEventType>(["state", "budget_spent", "hard_reload_requested"]);

/**
 * Ships a pipeline's telemetry to PostHog (`posthog-js`, an optional peer the app installs and initialises):
 * each event as `sync_<kind>` (`sync_replay_finished`, `sync_gap`…; sampled by `sampleRate`, state changes and a spent
 * budget always), and the metrics as `sync_metrics` at most once per `snapshotIntervalMs`. Properties carry no
 * personal data (see PropertyPolicy). Nothing is sent unless the sink is given to a pipeline (`sinks: [sink]`).
 */
export function createPostHogSink(posthog: PostHogLike, options: PostHogSinkOptions = {}): SyncSink {
  const snapshotIntervalMs = options.snapshotIntervalMs ?? POSTHOG_SINK_DEFAULTS.snapshotIntervalMs;
  const sampleRate = Math.min(1, Math.max(0, options.sampleRate ?? POSTHOG_SINK_DEFAULTS.sampleRate));
  const random = options.random ?? Math.random;
  const prefix = options.prefix ?? POSTHOG_SINK_DEFAULTS.prefix;
  const policy = { includeEntityIds: options.includeEntityIds ?? POSTHOG_SINK_DEFAULTS.includeEntityIds };
  const kinds = options.events === undefined ? undefined : new Set(options.events);
  const personProfiles = options.personProfiles ?? POSTHOG_SINK_DEFAULTS.personProfiles;
  const perMinute = options.maxEventsPerMinute ?? POSTHOG_SINK_DEFAULTS.maxEventsPerMinute;
  const capture = guarded((name: string, props: PostHogProperties) => {
    posthog.capture(name, props);
  });

  return {
    attach(source: SinkSource) {
      const common: PostHogProperties = {
        ...options.properties,
        pipeline: source.name,
        ...(personProfiles ? {} : { $process_person_profile: false }),
      };
      const throttle = createThrottle(snapshotIntervalMs, source.timers, (at) => {
        const { sync, metrics } = source.store.getState();
        capture(`${prefix}metrics`, { ...metricsProperties(metrics, sync), ...common, at_ms: at });
      });
      const unsubscribeStore = source.store.subscribe(() => throttle.request());
      let windowStart = Number.NEGATIVE_INFINITY;
      let inWindow = 0;
      const withinBudget = (at: number): boolean => {
        if (at - windowStart >= 60_000) {
          windowStart = at;
          inWindow = 0;
        }
        inWindow += 1;
        return inWindow <= perMinute;
      };
      const unsubscribeEvents = source.subscribeEvents((event) => {
        if (kinds !== undefined && !kinds.has(event.type)) return;
        if (!ALWAYS_SENT.has(event.type)) {
          if (!(sampleRate >= 1 || random() < sampleRate)) return;
          if (!withinBudget(source.timers.now())) return;
        }
        capture(postHogEventName(event.type, prefix), { ...eventProperties(event, policy), ...common, at_ms: event.at });
      });
      return () => {
        unsubscribeStore();
        unsubscribeEvents();
        // The pending snapshot, if any, goes now: a session shorter than the interval sent only its boot's zeros. Still
        // at most one per interval in steady state: nothing pending, nothing sent.
        throttle.close(true);
      };
    },
  };
}
