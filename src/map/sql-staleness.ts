import type { Timers } from "../core/clock";
import type { EntityId } from "../core/entity-id";
import type { SqlRow } from "./sql-types";

export interface StaleRowsOptions {
  readonly timers: Timers;
  /** Wait this long to batch stale entities into one targeted refresh. */
  readonly batchMs: number;
  /** The version the ledger applied to an entity, when it knows one. */
  readonly appliedVersion: (id: EntityId) => number | undefined;
  /** Whether a batch may start now (the source is running). */
  readonly active: () => boolean;
  /** Refresh the rows of these entities (a batch, never empty). */
  readonly refresh: (ids: EntityId[]) => void;
}

/** Rows the stream has overtaken, and the batches that refresh just those entities. */
export interface StaleRows {
  /**
   * THE staleness check, for every caller (a full refresh, a targeted one, an applied update): when the ledger holds a
   * newer version of `id` than its row in `table`, mark the row stale and queue the entity for the next batch. A row
   * already marked is left as it is. Returns whether it marked the row.
   */
  mark(table: Map<EntityId, SqlRow>, id: EntityId): boolean;
  /** Start the batch timer for what is queued (in `delayMs`, else the batch delay), unless one runs or the source does not. */
  schedule(delayMs?: number): void;
  /** Clear the batch timer; what is queued stays for the next batch. */
  stop(): void;
}

export function createStaleRows(options: StaleRowsOptions): StaleRows {
  const { timers } = options;
  const queued = new Set<EntityId>();
  let timer: unknown;
  return {
    mark(table, id) {
      const row = table.get(id);
      if (row === undefined || row.stale) return false;
      const applied = options.appliedVersion(id);
      if (applied === undefined || applied <= row.version) return false;
      table.set(id, { ...row, stale: true });
      queued.add(id);
      return true;
    },
    schedule(delayMs = options.batchMs) {
      if (timer !== undefined || !options.active()) return;
      timer = timers.setTimeout(() => {
        timer = undefined;
        const ids = [...queued];
        queued.clear();
        if (ids.length > 0) options.refresh(ids);
      }, delayMs);
    },
    stop() {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
