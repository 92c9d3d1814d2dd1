import type { SyncEvent, SyncEventType } from "../core/events";
import type { SyncMetrics } from "../core/metrics";
import type { SyncState } from "../core/state";

/** A property value PostHog stores as it is. */
export type PostHogValue = string | number | boolean | null;
export type PostHogProperties = Record<string, PostHogValue>;

/**
 * What is personal, and so never sent by default:
 *
 * - **Entity ids.** An entity id is the Poseidon hash of the model's keys. When a key is a player's address (a
 *   `Player`, an `Army` keyed by owner), anyone can hash the address and match it: a pseudonymous identifier of a
 *   person. Dropped unless `includeEntityIds: true`.
 * - **Free text.** Error messages, evidence details and replay reasons can quote values read from Torii (an owner's
 *   address in a malformed member). Only their codes and kinds are sent (`code`, `evidence`, `reason`), never the text.
 *
 * Not personal, and sent: model names (the game's schema), error codes, counts, durations, block numbers and times,
 * statuses, the pipeline's name (the world's contract address unless you named it). PostHog adds its own properties
 * (distinct id, browser, …) as the app configured it; this sink adds `$process_person_profile: false` so sync
 * telemetry never creates a person profile.
 */
export interface PropertyPolicy {
  readonly includeEntityIds: boolean;
}

/** PostHog's name for each event kind: `sync_` and the kind (`sync_replay_finished`); a state change is `sync_state_changed`. */
export function postHogEventName(type: SyncEventType, prefix: string): string {
  return type === "state" ? `${prefix}state_changed` : `${prefix}${type}`;
}

/** The event's properties: enumerations, codes, counts and durations only (see PropertyPolicy). */
export function eventProperties(event: SyncEvent, policy: PropertyPolicy): PostHogProperties {
  switch (event.type) {
    case "state":
      return {
        ...stateProperties(event.state),
        previous_status: event.previous.status,
        previous_connection: event.previous.connection,
      };
    case "replay_started":
      return { reason: reasonKind(event.reason, event.forced), forced: event.forced, attempt: event.attempt };
    case "replay_finished":
      return { duration_ms: event.durationMs, pages: event.pages, entities: event.entities };
    case "replay_failed":
      return { duration_ms: event.durationMs, code: event.code, attempt: event.attempt, budget_spent: event.budgetSpent };
    case "evidence":
      return { evidence: event.evidence };
    case "probe":
      return { reason: reasonKind(event.reason, false), outcome: event.outcome };
    case "overflow":
      return { dropped: event.dropped };
    case "rejected":
      return {
        code: event.code,
        ...(event.model === undefined ? {} : { model: event.model }),
        ...(policy.includeEntityIds && event.entityId !== undefined ? { entity_id: event.entityId } : {}),
      };
    case "budget_spent":
      return { attempts: event.attempts, code: event.code };
    case "cache_hit":
      return { entities: event.entities, duration_ms: event.durationMs, age_ms: event.ageMs ?? null };
    case "cache_failed":
      return { code: event.code };
    case "gap":
    case "hard_reload_requested":
    case "cache_miss":
      return {};
  }
}

function stateProperties(state: SyncState): PostHogProperties {
  return {
    status: state.status,
    connection: state.connection,
    replay_attempts: state.replayAttempts,
    lag_ms: state.lagMs,
    can_hard_reload: state.canHardReload,
    error_code: state.lastError?.code ?? null,
  };
}

/**
 * A metrics snapshot, flat (PostHog filters and charts flat properties): the seed's figures — queue depth, drops by
 * reason, last applied block time, replay p50/p95 and last, connection, lag, indexer head, probes by outcome, gaps,
 * budget spent — and the counters beside them.
 */
export function metricsProperties(metrics: SyncMetrics, state: SyncState): PostHogProperties {
  const props: PostHogProperties = {
    ...stateProperties(state),
    queue_depth: metrics.queueDepth,
    queue_high_water: metrics.queueHighWater,
    queue_compacted: metrics.compacted,
    overflows: metrics.overflows,
    received: metrics.received,
    applied: metrics.applied,
    dropped_stale: metrics.droppedStale,
    rejected: metrics.rejected,
    last_applied_seconds: metrics.lastApplied?.seconds ?? null,
    last_applied_iso: metrics.lastApplied?.iso ?? null,
    replays: metrics.replays,
    last_replay_ms: metrics.lastReplayMs ?? null,
    replay_ms_p50: metrics.replayMsP50 ?? null,
    replay_ms_p95: metrics.replayMsP95 ?? null,
    lag_ms: metrics.lagMs,
    indexer_head_block: metrics.indexerHead?.block ?? null,
    indexer_head_timestamp: metrics.indexerHead?.timestamp ?? null,
    probes: metrics.probes,
    gaps: metrics.gaps,
    budget_spent: metrics.budgetSpent,
    connection: metrics.connection,
    status: metrics.status,
  };
  let droppedTotal = 0;
  for (const [reason, count] of Object.entries(metrics.droppedByReason)) {
    props[`dropped_${reason}`] = count;
    droppedTotal += count;
  }
  props.dropped_total = droppedTotal;
  for (const [outcome, count] of Object.entries(metrics.probesByOutcome)) props[`probes_${outcome}`] = count ?? 0;
  for (const [evidence, count] of Object.entries(metrics.evidence)) props[`evidence_${evidence}`] = count ?? 0;
  for (const [code, count] of Object.entries(metrics.rejectedByCode)) props[`rejected_${code}`] = count ?? 0;
  return props;
}

/**
 * A reason as a kind, never its free text: "boot", "forced", "retry", the evidence that started it
 * (`gap`, `server_ahead`…), a probe's trigger (`silence`, `audit`…), or "other".
 */
export function reasonKind(reason: string, forced: boolean): string {
  if (forced) return "forced";
  if (reason === "boot") return "boot";
  if (/^retry \d+/.test(reason)) return "retry";
  const head = /^([a-z_]+)(?::| during )/.exec(reason)?.[1];
  if (head !== undefined) return head;
  if (/^[a-z][a-z ]{0,39}$/.test(reason)) return reason.replace(/ /g, "_");
  return "other";
}
