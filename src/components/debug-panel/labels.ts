import type { SyncEvent } from "../../core/events";
import type { ConnectionState, SyncStatus } from "../../core/state";
import { describeSyncEvent } from "./describe-event";

/** Every string the panel shows; pass any subset through `labels` to translate or reword. */
export interface SyncDebugPanelLabels {
  /** The accessible name of the panel's region. @default "Sync debug" */
  readonly region: string;
  /** @default "Status" */
  readonly status: string;
  /** @default "Connection" */
  readonly connection: string;
  /** @default "Lag" */
  readonly lag: string;
  /** @default "Replay attempts" */
  readonly attempts: string;
  /** @default "Last error" */
  readonly lastError: string;
  /** @default "Received" */
  readonly received: string;
  /** @default "Applied" */
  readonly applied: string;
  /** @default "Dropped (stale)" */
  readonly droppedStale: string;
  /** @default "Rejected" */
  readonly rejected: string;
  /** @default "Queue (depth / high water)" */
  readonly queue: string;
  /** @default "Replays" */
  readonly replays: string;
  /** @default "Last replay" */
  readonly lastReplay: string;
  /** @default "Gaps" */
  readonly gaps: string;
  /** @default "Probes" */
  readonly probes: string;
  /** @default "Force replay" */
  readonly forceReplay: string;
  /** A missing value (no error yet, no replay yet). @default "none" */
  readonly none: string;
  /** The names shown for each status. @default the status itself */
  readonly statusNames: Readonly<Record<SyncStatus, string>>;
  /** The names shown for each connection state. @default the state itself */
  readonly connectionNames: Readonly<Record<ConnectionState, string>>;
  /** A duration. @default (ms) => `${ms} ms` */
  readonly ms: (ms: number) => string;
  /** A count. @default (n) => String(n) */
  readonly count: (n: number) => string;
  /** Heading of the entity lookup. @default "Entity lookup" */
  readonly entityLookup: string;
  /** The id field's label. @default "Entity id" */
  readonly entityId: string;
  /** @default "Look up" */
  readonly lookUp: string;
  /** Shown for an id that is not hex. @default "Enter a 0x-prefixed hex id of at most 64 digits." */
  readonly badEntityId: string;
  /** Shown when the ledger holds nothing for the id. @default (id) => `Nothing synced for ${id}.` */
  readonly entityNotFound: (entityId: string) => string;
  /** Shown before the pipeline runs. @default "The sync has not started." */
  readonly notRunning: string;
  /** Caption of an entity's ledger table. @default "Ledger" */
  readonly ledger: string;
  /** @default "Model" */
  readonly model: string;
  /** Block time of the newest change applied to a model. @default "Block time" */
  readonly blockTime: string;
  /** @default "Version" */
  readonly version: string;
  /** Members newer than the model's version, from partial updates. @default "Newer members" */
  readonly members: string;
  /** Shown for a model deleted (a tombstone). @default "deleted" */
  readonly deleted: string;
  /** Heading of the entity's RECS values. @default "RECS values" */
  readonly values: string;
  /** Heading of the events list. @default "Recent events" */
  readonly recentEvents: string;
  /** Shown while the list is empty. @default "No events yet." */
  readonly noEvents: string;
  /** An event's time. @default (at) => the UTC time of day, to the millisecond */
  readonly time: (at: number) => string;
  /** One line about an event. @default describeSyncEvent */
  readonly describeEvent: (event: SyncEvent) => string;
}

export const SYNC_DEBUG_PANEL_LABELS: SyncDebugPanelLabels = {
  region: "Sync debug",
  status: "Status",
  connection: "Connection",
  lag: "Lag",
  attempts: "Replay attempts",
  lastError: "Last error",
  received: "Received",
  applied: "Applied",
  droppedStale: "Dropped (stale)",
  rejected: "Rejected",
  queue: "Queue (depth / high water)",
  replays: "Replays",
  lastReplay: "Last replay",
  gaps: "Gaps",
  probes: "Probes",
  forceReplay: "Force replay",
  none: "none",
  statusNames: { idle: "idle", replaying: "replaying", streaming: "streaming", lagging: "lagging", error: "error" },
  connectionNames: { connecting: "connecting", open: "open", closed: "closed" },
  ms: (ms) => `${Math.round(ms)} ms`,
  count: (n) => String(n),
  entityLookup: "Entity lookup",
  entityId: "Entity id",
  lookUp: "Look up",
  badEntityId: "Enter a 0x-prefixed hex id of at most 64 digits.",
  entityNotFound: (entityId) => `Nothing synced for ${entityId}.`,
  notRunning: "The sync has not started.",
  ledger: "Ledger",
  model: "Model",
  blockTime: "Block time",
  version: "Version",
  members: "Newer members",
  deleted: "deleted",
  values: "RECS values",
  recentEvents: "Recent events",
  noEvents: "No events yet.",
  time: (at) => new Date(at).toISOString().slice(11, 23),
  describeEvent: describeSyncEvent,
};
