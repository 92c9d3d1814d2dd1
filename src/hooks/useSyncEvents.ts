import { useEffect, useState } from "react";
import type { SyncEvent } from "../core/events";
import { EVENT_LOG_CAPACITY, recentSyncEvents } from "../sync/index";
import { useSyncContext } from "./sync-context";

/**
 * The newest `limit` events of the provider's pipeline, oldest first: those it saw before this component mounted
 * (every pipeline `createSyncPipeline` makes keeps its last 200), then each as it happens. Bounded, so a flood of
 * rejected input costs a fixed amount; updates from one drain render once (React batches them).
 */
export function useSyncEvents(limit = 20): readonly SyncEvent[] {
  // Infinity or NaN ("show them all") would keep every event for ever: at most what the pipeline's own log keeps.
  limit = Number.isFinite(limit) ? Math.min(EVENT_LOG_CAPACITY, Math.max(1, Math.floor(limit))) : EVENT_LOG_CAPACITY;
  const { pipeline } = useSyncContext("useSyncEvents");
  const [events, setEvents] = useState<readonly SyncEvent[]>(() => (pipeline === undefined ? [] : recentSyncEvents(pipeline, limit)));
  useEffect(() => {
    if (pipeline === undefined) {
      setEvents([]);
      return undefined;
    }
    setEvents(recentSyncEvents(pipeline, limit));
    return pipeline.subscribeEvents((event) => setEvents((shown) => [...shown.slice(Math.max(0, shown.length - limit + 1)), event]));
  }, [pipeline, limit]);
  return events;
}
