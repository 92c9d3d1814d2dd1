import { sliceClock, type CacheConnection } from "./connection";
import type { DirtyEntity } from "./dirty-set";
import { decodeEntity, encodeEntity } from "./entity-row";
import { ENTITIES, META, isCacheIdentity, isWatermark, sameIdentity, type EntityState } from "./layout";
import { applyEntityDelete, emptyRecord, mergeRecord } from "./merge";
import { rawDatabase, settled, transactionDone } from "./requests";
import { cacheError } from "./storage-errors";

export interface SliceOutcome {
  /** Entities written whole in this slice's transaction. */
  readonly written: number;
  /** Main-thread time the slice took (ms, by the injected clock), its awaits excluded. */
  readonly spentMs: number;
  /**
   * The transaction's commit: the slice's main-thread work is over when the outcome resolves, so the next slice can
   * be prepared while this one commits. Rejects as the slice would (already handled: await it to see the failure).
   */
  readonly committed: Promise<void>;
}

/**
 * One write slice: one readwrite transaction. It reads what the `readAhead` entities of `queue` from `from` on hold,
 * merges them in (versions respected) until the budget is spent, and puts the results; `written` says how many it
 * took, so the entities it had no time for are the next slice's first (read again then). The queue is never moved:
 * a flush of 100,000 entities would copy it in every slice. Resolves once the puts are issued, with the commit still to come
 * (`committed`). Rejects with a SyncError or the storage's own error; the caller classifies and reports.
 */
export async function writeSlice(connection: CacheConnection, queue: readonly DirtyEntity[], from: number, readAhead: number, budgetMs: number): Promise<SliceOutcome> {
  const { db, counters, identity, timers } = connection;
  const clock = sliceClock(timers);
  const start = clock();
  const batch = queue.slice(from, from + Math.max(1, readAhead));
  const tx = rawDatabase(db).transaction([META, ENTITIES], "readwrite");
  const done = transactionDone(tx);
  // Settled when the transaction ends, whatever the slice did: an abort must not surface as an unhandled rejection.
  done.catch(() => undefined);
  try {
    // One request per entity (a request is a round trip to the browser's storage process); the rows are decoded as
    // they are merged, inside the budget.
    const entities = tx.objectStore(ENTITIES);
    const reads = settled([tx.objectStore(META).get("identity"), ...batch.map((entity) => entities.get([entity.scope, entity.entityId]))]);
    let spent = clock() - start;
    const [owner, ...stored] = await reads;
    assertOwner(owner, identity);
    const mergeStart = clock();
    let written = 0;
    for (const [index, entity] of batch.entries()) {
      const body = stored[index];
      writeEntity(entities, entity, body === undefined ? undefined : decodeEntity([entity.scope, entity.entityId], body), counters);
      written += 1;
      if (spent + clock() - mergeStart >= budgetMs) break;
    }
    spent += clock() - mergeStart;
    if (spent > counters.longestWriteSliceMs) counters.longestWriteSliceMs = spent;
    // A put that fails fails the transaction: its end is the slice's commit.
    const committed = done.then(() => {
      counters.entitiesWritten += written;
      counters.writeSlices += 1;
    });
    committed.catch(() => undefined);
    return { written, spentMs: spent, committed };
  } catch (thrown) {
    await abandon(tx, done);
    throw thrown;
  }
}

/**
 * The watermark, in a transaction of its own once every slice of the flush committed: a tab closed (or a slice
 * failed) before then leaves the old watermark over records that are each old or new, whole. Never moves it back.
 */
export async function writeWatermark(connection: CacheConnection, watermarkAt: number): Promise<void> {
  const { db, identity, timers, counters } = connection;
  // The meta store only: readers of the entity stores (another tab's hydration) need not wait for it.
  const tx = db.transaction(META, "readwrite");
  const pending: Array<Promise<unknown>> = [];
  try {
    const meta = tx.store;
    const [owner, stored] = await Promise.all([meta.get("identity"), meta.get("watermark")]);
    assertOwner(owner, identity);
    const watermark = { executedAt: Math.max(isWatermark(stored) ? stored.executedAt : -1, watermarkAt), takenAt: timers.now() };
    pending.push(meta.put(watermark, "watermark"));
    await Promise.all([...pending, tx.done]);
    counters.watermarkWritten = watermark.executedAt;
  } catch (thrown) {
    await abandon(tx, Promise.allSettled([...pending, tx.done]));
    throw thrown;
  }
}

function assertOwner(owner: unknown, identity: CacheConnection["identity"]): void {
  // Another tab, on another schema or SDK version, re-stamped the cache: it is theirs now.
  if (!isCacheIdentity(owner) || !sameIdentity(owner, identity)) throw cacheError("SYNC_CACHE_UNAVAILABLE", "another tab re-made the cache for a different schema or version");
}

/** Nothing of a failed transaction lands: abort it (if still open) so a half-merged entity can never commit. */
async function abandon(tx: Pick<IDBTransaction, "abort">, done: Promise<unknown>): Promise<void> {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted by the storage itself.
  }
  await Promise.allSettled([done]);
}

/** Put the entity's row if anything changed on disk, or delete it once nothing of it is left. */
function writeEntity(entities: IDBObjectStore, entity: EntityState, stored: EntityState | undefined, counters: CacheConnection["counters"]): void {
  // Nothing stored (every entity of a cold write): the changes, merged in arrival order, are the entity's whole state.
  // They are written as they are, with no record built to merge them into: records built here would die at once, and
  // V8 allocates them where the dirty set's long-lived records go (same allocation sites), in the old generation.
  if (stored !== undefined && !mergeInto(stored, entity)) return;
  const row = encodeEntity(stored ?? entity);
  if (row === undefined) {
    if (stored === undefined) return;
    entities.delete([entity.scope, entity.entityId]);
    counters.recordsWritten += 1;
    return;
  }
  entities.put(row.body, row.key);
  counters.recordsWritten += 1;
  counters.bytesWritten += row.body.length;
}

/** Merge one entity's changes into what is stored (the tombstone first: it came before the members it spared); whether anything changed. */
function mergeInto(stored: EntityState, entity: EntityState): boolean {
  let changed = false;
  if (entity.tombstoneAt !== undefined) {
    const at = entity.tombstoneAt;
    if (stored.tombstoneAt === undefined || stored.tombstoneAt < at) {
      stored.tombstoneAt = at;
      changed = true;
    }
    for (const record of stored.models.values()) if (applyEntityDelete(record, at)) changed = true;
  }
  for (const [model, newer] of entity.models) {
    const record = stored.models.get(model) ?? emptyRecord(entity.scope, entity.entityId, model);
    if (mergeRecord(record, newer)) changed = true;
    stored.models.set(model, record);
  }
  return changed;
}
