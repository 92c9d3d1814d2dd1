import type { SyncEvent } from "../../core/events";

/** One line about an event, for the panel's list: what happened, with its figures (English; replace through labels). */
export function describeSyncEvent(event: SyncEvent): string {
  switch (event.type) {
    case "state":
      return `${event.previous.status} → ${event.state.status}, connection ${event.state.connection}${event.state.reason === "" ? "" : ` (${event.state.reason})`}`;
    case "replay_started":
      return `${event.forced ? "forced, " : ""}attempt ${event.attempt}: ${event.reason}`;
    case "replay_finished":
      return `${Math.round(event.durationMs)} ms, ${event.pages} ${event.pages === 1 ? "page" : "pages"}, ${event.entities} entities`;
    case "replay_failed":
      return `attempt ${event.attempt}, ${event.code}${event.budgetSpent ? ", budget spent" : ""}: ${event.message}`;
    case "evidence":
      return `${event.evidence}: ${event.detail}`;
    case "gap":
      return "the client reconnected by itself and may have missed updates";
    case "probe":
      return `${event.reason}: ${event.outcome}${event.detail === undefined ? "" : ` (${event.detail})`}`;
    case "overflow":
      return `${event.dropped} pending entities dropped`;
    case "rejected":
      return `${event.code}${event.model === undefined ? "" : ` in ${event.model}`}${event.entityId === undefined ? "" : ` of ${event.entityId}`}`;
    case "budget_spent":
      return `after ${event.attempts} attempts, ${event.code}`;
    case "hard_reload_requested":
      return "the page is reloading to recover";
    case "cache_hit":
      return `${event.entities} entities from the cache in ${Math.round(event.durationMs)} ms${event.ageMs === undefined ? "" : `, ${Math.round(event.ageMs / 1000)} s old`}`;
    case "cache_miss":
      return "no cached world: starting from the network";
    case "cache_failed":
      return `${event.code}: the cache was dropped, the sync goes on from the network`;
  }
}
