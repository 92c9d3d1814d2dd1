import type { IDBPTransaction } from "idb";
import { sliceClock, type CacheConnection } from "./connection";
import type { DirtyEntity } from "./dirty-set";
import {
  ENTITY_MODELS,
  ENTITY_TOMBSTONES,
  META,
  entityRange,
  isCacheIdentity,
  isEntityModelRecord,
  isEntityTombstoneRecord,
  isWatermark,
  sameIdentity,
  type CacheSchema,
  type EntityModelRecord,
  type EntityTombstoneRecord,
} from "./layout";
import { applyEntityDelete, emptyRecord, isEmptyRecord, mergeRecord } from "./merge";
import { cacheError } from "./storage-errors";

type WriteTransaction = IDBPTransaction<CacheSchema, [typeof META, typeof ENTITY_MODELS, typeof ENTITY_TOMBSTONES], "readwrite">;

/** What an entity holds on disk before the write: the records the write touches, and its tombstone. */
interface Stored {
  readonly records: Map<string, EntityModelRecord>;
  readonly tombstone: EntityTombstoneRecord | undefined;
}

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
  const tx: WriteTransaction = db.transaction([META, ENTITY_MODELS, ENTITY_TOMBSTONES], "readwrite");
  const pending: Array<Promise<unknown>> = [];
  try {
    const reads = Promise.all([tx.objectStore(META).get("identity"), Promise.all(batch.map((entity) => readEntity(tx, entity)))]);
    let spent = clock() - start;
    const [owner, stored] = await reads;
    assertOwner(owner, identity);
    const mergeStart = clock();
    let written = 0;
    for (const [index, entity] of batch.entries()) {
      writeEntity(tx, entity, stored[index] as Stored, pending, counters);
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

async function readEntity(tx: WriteTransaction, entity: DirtyEntity): Promise<Stored> {
  const records = new Map<string, EntityModelRecord>();
  // Every model of the entity in one request (a request costs a round trip to the browser's storage process; a get
  // per model made most of a slice's time in Chromium), with its tombstone when a delete touches them all.
  const [all, stone] = await Promise.all([
    tx.objectStore(ENTITY_MODELS).getAll(entityRange(entity.scope, entity.entityId)),
    entity.tombstoneAt === undefined ? undefined : tx.objectStore(ENTITY_TOMBSTONES).get([entity.scope, entity.entityId]),
  ]);
  for (const record of all) records.set(checked(record).model, record);
  if (stone !== undefined && !isEntityTombstoneRecord(stone)) throw cacheError("SYNC_CACHE_CORRUPT", "an entity tombstone is unreadable");
  return { records, tombstone: stone };
}

function checked(record: unknown): EntityModelRecord {
  if (!isEntityModelRecord(record)) throw cacheError("SYNC_CACHE_CORRUPT", "an entity-model record is unreadable");
  return record;
}

/** Merge one entity into what is stored (its tombstone first: it came before the members it spared) and put what changed. */
function writeEntity(tx: WriteTransaction, entity: DirtyEntity, stored: Stored, pending: Array<Promise<unknown>>, counters: CacheConnection["counters"]): void {
  const models = tx.objectStore(ENTITY_MODELS);
  const changed = new Set<string>();
  if (entity.tombstoneAt !== undefined) {
    const at = entity.tombstoneAt;
    if (stored.tombstone === undefined || stored.tombstone.at < at) {
      const record: EntityTombstoneRecord = { scope: entity.scope, entityId: entity.entityId, at };
      pending.push(tx.objectStore(ENTITY_TOMBSTONES).put(record));
      counters.recordsWritten += 1;
      counters.bytesWritten += approximateBytes(record);
    }
    for (const record of stored.records.values()) if (applyEntityDelete(record, at)) changed.add(record.model);
  }
  for (const [model, newer] of entity.models) {
    const target = stored.records.get(model) ?? emptyRecord(entity.scope, entity.entityId, model);
    if (mergeRecord(target, newer)) changed.add(model);
    stored.records.set(model, target);
  }
  for (const model of changed) {
    const record = stored.records.get(model) as EntityModelRecord;
    counters.recordsWritten += 1;
    if (isEmptyRecord(record)) {
      pending.push(models.delete([record.scope, record.entityId, record.model]));
      continue;
    }
    pending.push(models.put(record));
    counters.bytesWritten += approximateBytes(record);
  }
}

/** A cheap size estimate of a record (strings by length, numbers 8 bytes): the browser's own encoding differs. */
export function approximateBytes(value: unknown, depth = 0): number {
  if (typeof value === "string") return value.length;
  if (typeof value === "number") return 8;
  if (typeof value === "boolean" || value === null || value === undefined) return 1;
  if (typeof value !== "object" || depth > 32) return 0;
  let total = 0;
  if (Array.isArray(value)) for (const item of value) total += approximateBytes(item, depth + 1);
  else for (const key in value) if (Object.hasOwn(value, key)) total += key.length + approximateBytes((value as Record<string, unknown>)[key], depth + 1);
  return total;
}
