import type { IDBPTransaction } from "idb";
import { sliceClock, type CacheConnection } from "./connection";
import type { DirtyEntity } from "./dirty-set";
import { decodeEntity, encodeEntity } from "./entity-row";
import { ENTITIES, META, isCacheIdentity, isWatermark, sameIdentity, type CacheSchema, type EntityState } from "./layout";
import { applyEntityDelete, emptyRecord, mergeRecord } from "./merge";
import { cacheError } from "./storage-errors";

type WriteTransaction = IDBPTransaction<CacheSchema, [typeof META, typeof ENTITIES], "readwrite">;

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
 * One write slice: one readwrite transaction. It reads what the first `readAhead` entities of `queue` hold, merges
 * them in (versions respected) until the budget is spent, and puts the results; entities it had no time for go back to
 * the queue's front (read again next slice). Resolves once the puts are issued, with the commit still to come
 * (`committed`). Rejects with a SyncError or the storage's own error; the caller classifies and reports.
 */
export async function writeSlice(connection: CacheConnection, queue: DirtyEntity[], readAhead: number, budgetMs: number): Promise<SliceOutcome> {
  const { db, counters, identity, timers } = connection;
  const clock = sliceClock(timers);
  const start = clock();
  const batch = queue.splice(0, Math.max(1, readAhead));
  const tx: WriteTransaction = db.transaction([META, ENTITIES], "readwrite");
  const pending: Array<Promise<unknown>> = [];
  try {
    // One request per entity (a request is a round trip to the browser's storage process); the rows are decoded as
    // they are merged, inside the budget.
    const entities = tx.objectStore(ENTITIES);
    const reads = Promise.all([tx.objectStore(META).get("identity"), Promise.all(batch.map((entity) => entities.get([entity.scope, entity.entityId])))]);
    let spent = clock() - start;
    const [owner, stored] = await reads;
    assertOwner(owner, identity);
    const mergeStart = clock();
    let written = 0;
    for (const [index, entity] of batch.entries()) {
      const row = stored[index];
      writeEntity(tx, entity, row === undefined ? undefined : decodeEntity(row), pending, counters);
      written += 1;
      if (spent + clock() - mergeStart >= budgetMs) break;
    }
    queue.unshift(...batch.slice(written));
    spent += clock() - mergeStart;
    if (spent > counters.longestWriteSliceMs) counters.longestWriteSliceMs = spent;
    const committed = Promise.all([...pending, tx.done]).then(() => {
      counters.entitiesWritten += written;
      counters.writeSlices += 1;
    });
    committed.catch(() => undefined);
    return { written, spentMs: spent, committed };
  } catch (thrown) {
    await abandon(tx, pending);
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
    await abandon(tx, pending);
    throw thrown;
  }
}

function assertOwner(owner: unknown, identity: CacheConnection["identity"]): void {
  // Another tab, on another schema or SDK version, re-stamped the cache: it is theirs now.
  if (!isCacheIdentity(owner) || !sameIdentity(owner, identity)) throw cacheError("SYNC_CACHE_UNAVAILABLE", "another tab re-made the cache for a different schema or version");
}

/** Nothing of a failed transaction lands: abort it (if still open) so a half-merged entity can never commit. */
async function abandon(tx: Pick<WriteTransaction, "abort" | "done">, pending: ReadonlyArray<Promise<unknown>>): Promise<void> {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted by the storage itself.
  }
  await Promise.allSettled([...pending, tx.done]);
}

/**
 * Merge one entity's changes into what is stored (the tombstone first: it came before the members it spared) and put
 * the entity's row if anything changed, or delete it once nothing of it is left.
 */
function writeEntity(tx: WriteTransaction, entity: EntityState, stored: EntityState | undefined, pending: Array<Promise<unknown>>, counters: CacheConnection["counters"]): void {
  const target: EntityState = stored ?? { scope: entity.scope, entityId: entity.entityId, tombstoneAt: undefined, models: new Map() };
  let changed = false;
  if (entity.tombstoneAt !== undefined) {
    const at = entity.tombstoneAt;
    if (target.tombstoneAt === undefined || target.tombstoneAt < at) {
      target.tombstoneAt = at;
      changed = true;
    }
    for (const record of target.models.values()) if (applyEntityDelete(record, at)) changed = true;
  }
  for (const [model, newer] of entity.models) {
    const record = target.models.get(model) ?? emptyRecord(entity.scope, entity.entityId, model);
    if (mergeRecord(record, newer)) changed = true;
    target.models.set(model, record);
  }
  if (!changed) return;
  counters.recordsWritten += 1;
  const row = encodeEntity(target);
  if (row === undefined) {
    pending.push(tx.objectStore(ENTITIES).delete([entity.scope, entity.entityId]));
    return;
  }
  pending.push(tx.objectStore(ENTITIES).put(row));
  counters.bytesWritten += row.body.length + row.entityId.length + row.scope.length;
}
