import { systemTimers, type Timers } from "../core/clock";
import { withDeadline } from "../core/deadline";
import { SyncError, toSyncError } from "../core/errors";
import type { EntityFetcher } from "../core/replay/incremental";
import type { SyncSource } from "../core/ports";
import type { ToriiClientLike, ToriiPageLike, ToriiQuery } from "../torii/client-types";
import { decodeEntity } from "../torii/decode";
import { TORII_SOURCE_DEFAULTS, type ToriiSourceOptions } from "../torii/source";

/**
 * The source with a read by id (a `HashedKeys` query through the same decoder), for the incremental replay. Its
 * requests have the source's page deadline and are failed by the source's `cancelPending()`, like its own.
 */
export function withEntityFetcher<S extends SyncSource>(source: S, client: ToriiClientLike, options: ToriiSourceOptions): S & EntityFetcher {
  const timers: Timers = options.timers ?? systemTimers;
  const timeoutMs = options.pageTimeoutMs ?? TORII_SOURCE_DEFAULTS.pageTimeoutMs;
  const inFlight = new Set<(error: SyncError) => void>();
  let closed = false;
  const query = (ids: readonly string[], cursor: string | undefined): ToriiQuery => ({
    world_addresses: [...(options.worldAddresses ?? [])],
    pagination: { limit: ids.length, cursor, direction: "Forward", order_by: [] },
    clause: { HashedKeys: [...ids] },
    no_hashed_keys: false,
    models: [...(options.models ?? [])],
    historical: false,
  });
  const ask = (q: ToriiQuery): Promise<ToriiPageLike> =>
    withDeadline(
      () => client.getEntities(q),
      timeoutMs,
      timers,
      () => new SyncError("SYNC_PAGE_TIMEOUT", `Reading changed entities by id: no answer within ${timeoutMs} ms.`),
      (error) => toSyncError(error, "SYNC_TORII_ERROR", "Reading changed entities by id"),
      inFlight,
    );
  return {
    ...source,
    cancelPending() {
      closed = true;
      for (const abort of [...inFlight]) abort(new SyncError("SYNC_CANCELLED", "The request was cancelled with the pipeline."));
      source.cancelPending();
    },
    async fetchEntities(scope, ids, sink) {
      if (scope !== "entities") throw new SyncError("SYNC_TORII_ERROR", "Reading by id is offered for the entities scope only.");
      let rows = 0;
      let cursor: string | undefined;
      const cursors = new Set<string>();
      do {
        if (closed) throw new SyncError("SYNC_CANCELLED", "The source was cancelled with its pipeline.");
        const page = await ask(query(ids, cursor));
        if (page === null || typeof page !== "object" || !Array.isArray(page.items)) throw new SyncError("SYNC_BAD_PAYLOAD", "Torii answered a read by id without an items list.");
        for (const item of page.items) decodeEntity(item, scope, false, sink);
        rows += page.items.length;
        const next = page.next_cursor;
        cursor = typeof next === "string" && next.length > 0 ? next : undefined;
        if (cursor !== undefined && cursors.has(cursor)) throw new SyncError("SYNC_REPEATED_CURSOR", "Torii repeated a cursor while reading entities by id.");
        if (cursor !== undefined) cursors.add(cursor);
      } while (cursor !== undefined);
      return rows;
    },
  };
}
