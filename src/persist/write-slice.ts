import { sliceClock, type CacheConnection } from "./connection";
import type { BucketGroup } from "./dirty-set";
import { decodeBucket, encodeBucket } from "./entity-row";
import { BUCKETS, META, isCacheIdentity, isWatermark, sameIdentity, type EntityState } from "./layout";
import { applyEntityDelete, emptyRecord, mergeRecord } from "./merge";
import { rawDatabase, settled, transactionDone } from "./requests";
import { cacheError } from "./storage-errors";

export interface SliceOutcome {
  /** Buckets written whole in this slice's transaction. */
  readonly written: number;
  /** Entities in those buckets' groups. */
  readonly entities: number;
  /** Main-thread time the slice took (ms, by the injected clock), its awaits excluded. */
  readonly spentMs: number;
  /**
   * The transaction's commit: the slice's main-thread work is over when the outcome resolves, so the next slice can
   * be prepared while this one commits. Rejects as the slice would (already handled: await it to see the failure).
   */
  readonly committed: Promise<void>;
}

/**
 * One write slice: one readwrite transaction. It reads the `readAhead` buckets of `queue` from `from` on, merges
 * their dirty entities in (versions respected) until the budget is spent, and puts the buckets back; `written` says
 * how many buckets it took, so those it had no time for are the next slice's first (read again then). The queue is
 * never moved: a flush of 100,000 entities would copy it in every slice. Resolves once the puts are issued, with the commit still to come
 * (`committed`). Rejects with a SyncError or the storage's own error; the caller classifies and reports.
 */
export async function writeSlice(connection: CacheConnection, queue: readonly BucketGroup[], from: number, readAhead: number, budgetMs: number): Promise<SliceOutcome> {
  const { db, counters, identity, timers } = connection;
  const clock = sliceClock(timers);
  const start = clock();
  const batch = queue.slice(from, from + Math.max(1, readAhead));
  const tx = rawDatabase(db).transaction([META, BUCKETS], "readwrite");
  const done = transactionDone(tx);
  // Settled when the transaction ends, whatever the slice did: an abort must not surface as an unhandled rejection.
  done.catch(() => undefined);
  try {
    // One request per bucket (a request is a round trip to the browser's storage process); the records are decoded
    // as they are merged, inside the budget.
    const buckets = tx.objectStore(BUCKETS);
    const reads = settled([tx.objectStore(META).get("identity"), ...batch.map((group) => buckets.get(group.key))]);
    let spent = clock() - start;
    const [owner, ...stored] = await reads;
    assertOwner(owner, identity);
    const mergeStart = clock();
    let written = 0;
    let entities = 0;
    for (const [index, group] of batch.entries()) {
      const record = stored[index];
      writeBucket(buckets, group, record === undefined ? [] : decodeBucket(group.key, record), counters);
      written += 1;
      entities += group.entities.length;
      if (spent + clock() - mergeStart >= budgetMs) break;
    }
    spent += clock() - mergeStart;
    if (spent > counters.longestWriteSliceMs) counters.longestWriteSliceMs = spent;
    // A put that fails fails the transaction: its end is the slice's commit.
    const committed = done.then(() => {
      counters.entitiesWritten += entities;
      counters.writeSlices += 1;
    });
    committed.catch(() => undefined);
    return { written, entities, spentMs: spent, committed };
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
  // The meta store only: readers of the entity stores (another tab's hydration) need not wait for it. The same raw
  // requests as the slices: one mechanism for every write, its failures classified alike.
  const tx = rawDatabase(db).transaction(META, "readwrite");
  const done = transactionDone(tx);
  done.catch(() => undefined);
  try {
    const meta = tx.objectStore(META);
    const [owner, stored] = await settled([meta.get("identity"), meta.get("watermark")]);
    assertOwner(owner, identity);
    const watermark = { executedAt: Math.max(isWatermark(stored) ? stored.executedAt : -1, watermarkAt), takenAt: timers.now() };
    meta.put(watermark, "watermark");
    await done;
    counters.watermarkWritten = watermark.executedAt;
  } catch (thrown) {
    await abandon(tx, done);
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

/** Merge a bucket's dirty entities into what it holds; put it back if anything changed, or delete it once empty. */
function writeBucket(buckets: IDBObjectStore, group: BucketGroup, stored: EntityState[], counters: CacheConnection["counters"]): void {
  const held = new Map(stored.map((entity) => [entity.entityId, entity]));
  let changed = false;
  for (const entity of group.entities) {
    const was = held.get(entity.entityId);
    // Nothing stored (every entity of a cold write): the changes, merged in arrival order, are the entity's whole
    // state, kept as they are: records built to merge them into would die at once, and V8 allocates them where the
    // dirty set's long-lived records go (same allocation sites), in the old generation.
    if (was === undefined) {
      held.set(entity.entityId, entity);
      changed = true;
    } else if (mergeInto(was, entity)) changed = true;
  }
  if (!changed) return;
  const record = encodeBucket(held.values());
  if (record === undefined) {
    // Nothing left in it; and if nothing was stored, nothing to delete.
    if (stored.length === 0) return;
    buckets.delete(group.key);
    counters.recordsWritten += 1;
    return;
  }
  buckets.put(record, group.key);
  counters.recordsWritten += 1;
  counters.bytesWritten += record.length;
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
