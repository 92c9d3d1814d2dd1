import { normalizeEntityId, type EntityId } from "../entity-id";
import type { CacheMetrics } from "../metrics";
import type { CoreLogger, IntakeSink, SyncSource } from "../ports";
import type { LedgerScope } from "../types";

/**
 * Reading chosen entities by id (a `HashedKeys` clause): what an incremental replay pages. A source may offer it
 * (src/sync adds it over the Torii client); the core asks for it only where it helps.
 */
export interface EntityFetcher {
  /** Decode the listed entities (those the server still has) into `sink`; resolves with the rows read. */
  fetchEntities(scope: LedgerScope, ids: readonly EntityId[], sink: IntakeSink): Promise<number>;
}

export interface IncrementalLimits {
  /** Seconds before the watermark to read again: writes share whole seconds, and a tie at the watermark may be newer. @default 2 */
  readonly overlapSeconds: number;
  /** Above this many changed entities a full replay is cheaper to trust. @default 20_000 */
  readonly maxEntities: number;
  /** Ids per request. @default 500 */
  readonly idsPerRequest: number;
}

export const INCREMENTAL_DEFAULTS: IncrementalLimits = { overlapSeconds: 2, maxEntities: 20_000, idsPerRequest: 500 };

export interface IncrementalDeps {
  readonly source: SyncSource & Partial<EntityFetcher>;
  /** The block time (seconds) everything up to which RECS already holds (the cache's watermark), taken once. */
  since(): number | undefined;
  /** The main store's intake (not the snapshot tracker: an incremental read lists only what changed). */
  readonly sink: IntakeSink;
  flush(): Promise<void>;
  /** Live entity × model records the client holds (the scope's SQL count says the same on the server). */
  liveModelCount(): number;
  readonly limits: IncrementalLimits;
  readonly log: CoreLogger;
  readonly counters: CacheMetrics | undefined;
  isCancelled(): boolean;
}

/** What an incremental replay read, when it could stand for a full one. */
export interface IncrementalRead {
  readonly pages: number;
  readonly entities: number;
}

/**
 * An incremental replay from a watermark: ask the server (SQL) which entities of the synced scope changed since the
 * watermark minus an overlap, read only those by id, then confirm nothing was removed meanwhile by comparing the
 * scope's row count with what the client holds. `undefined` means "page everything": no watermark or no SQL, too
 * many changes, a failed question, or counts that differ (a removal can only be found by a full snapshot).
 * What it read has landed either way (newer versions only), so a full replay after it loses nothing.
 */
export async function replayIncrementally(deps: IncrementalDeps): Promise<IncrementalRead | undefined> {
  const { source, limits, log, counters } = deps;
  const fetch = source.fetchEntities;
  if (fetch === undefined || source.watermark === undefined || source.recentWrites === undefined) return undefined;
  if (source.scopes.length !== 1 || source.scopes[0] !== "entities") return undefined;
  // Taken only when it can be used: a tab that follows first and leads later still starts from it.
  const since = deps.since();
  if (since === undefined) return undefined;
  const fallBack = (why: string): undefined => {
    if (counters !== undefined) counters.incrementalFallbacks += 1;
    log.log("info", `incremental replay from the cache's watermark not possible (${why}): paging the whole scope`);
    return undefined;
  };
  const server = await source.watermark().catch(() => undefined);
  if (server === undefined) return fallBack("the SQL watermark could not be read");
  const writes = await source.recentWrites(since - limits.overlapSeconds, server.newestExecutedAt, limits.maxEntities * 4 + 1).catch(() => undefined);
  if (writes === undefined) return fallBack("the recent writes could not be read");
  const ids = [...new Set(writes.map((write) => normalizeEntityId(write.entityId)))];
  if (writes.length > limits.maxEntities * 4 || ids.length > limits.maxEntities) return fallBack(`${ids.length} entities changed`);
  let pages = 0;
  let entities = 0;
  for (let at = 0; at < ids.length; at += limits.idsPerRequest) {
    entities += await fetch.call(source, "entities", ids.slice(at, at + limits.idsPerRequest), deps.sink);
    pages += 1;
    if (deps.isCancelled()) return undefined;
    await deps.flush();
  }
  await deps.flush();
  const local = deps.liveModelCount();
  if (local !== server.count) return fallBack(`the server holds ${server.count} components of the scope, the client ${local}: something was removed`);
  if (counters !== undefined) {
    counters.incrementalReplays += 1;
    counters.incrementalEntities += ids.length;
  }
  log.log("info", `incremental replay: ${ids.length} entities changed since the cache's watermark, ${pages} requests, counts agree (${local})`);
  return { pages, entities };
}
