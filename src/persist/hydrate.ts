import type { LedgerScope } from "../core/types";
import { sliceClock, yieldTurn, type CacheConnection } from "./connection";
import { ENTITY_MODELS, ENTITY_TOMBSTONES, META, isEntityModelRecord, isEntityTombstoneRecord, isWatermark, type EntityKey, type EntityModelKey, type EntityModelRecord, type EntityTombstoneRecord, type Watermark } from "./layout";
import { entityMessages, type ToriiEntityMessage } from "./messages";
import { cacheError, classifyStorageError } from "./storage-errors";

/** Receives the cache's content, one slice at a time: feed it to the engine's decoder (same path as a Torii page). */
export type CachedMessagesListener = (scope: LedgerScope, messages: readonly ToriiEntityMessage[]) => void;

export interface HydrateOptions {
  /** Main-thread time a slice aims at; the next slice reads more or fewer records to match it. @default 4 */
  readonly sliceBudgetMs?: number;
  /** Records the first slice reads. @default 256 */
  readonly firstSliceRecords?: number;
}

export interface HydrateResult {
  /** False when storage failed midway (reported once, the cache dropped): what was handed over is still valid state. */
  readonly complete: boolean;
  /** Entities handed over: the warm start's cache hits. */
  readonly entities: number;
  readonly messages: number;
  readonly watermark: Watermark | undefined;
  /** How old the watermark is (ms, by the timers' wall clock); undefined without one. */
  readonly ageMs: number | undefined;
  readonly durationMs: number;
  readonly slices: number;
}

const MIN_SLICE_RECORDS = 16;
const MAX_SLICE_RECORDS = 10_000;

/**
 * Read the whole cache back as Torii entity messages, entity by entity in key order, in slices: each slice reads a
 * batch of records in its own transaction, holds back the last entity (its records may go on in the next batch), joins
 * the entity tombstones up to there, and hands the messages over; then the event loop gets a turn.
 */
export async function hydrateCache(connection: CacheConnection, onMessages: CachedMessagesListener, options: HydrateOptions = {}): Promise<HydrateResult> {
  const { db, timers, counters, failure } = connection;
  const clock = sliceClock(timers);
  const budget = options.sliceBudgetMs ?? 4;
  const started = clock();
  let limit = options.firstSliceRecords ?? 256;
  let entities = 0;
  let messages = 0;
  let slices = 0;
  let watermark: Watermark | undefined;
  const result = (complete: boolean): HydrateResult => {
    const durationMs = clock() - started;
    counters.entitiesHydrated += entities;
    counters.messagesHydrated += messages;
    counters.hydrateMs = durationMs;
    counters.hydrateSlices += slices;
    const ageMs = watermark === undefined ? undefined : Math.max(0, timers.now() - watermark.takenAt);
    return { complete, entities, messages, watermark, ageMs, durationMs, slices };
  };
  if (!connection.usable()) return result(false);
  try {
    const stored = await db.get(META, "watermark");
    if (stored !== undefined && !isWatermark(stored)) throw cacheError("SYNC_CACHE_CORRUPT", "the watermark record is unreadable");
    watermark = stored;
    let after: EntityModelKey | undefined;
    let tombstonesAfter: EntityKey | undefined;
    let held: EntityModelRecord[] = [];
    for (;;) {
      if (!connection.usable()) return result(false);
      const tx = db.transaction([ENTITY_MODELS, ENTITY_TOMBSTONES], "readonly");
      const read: unknown[] = await tx.objectStore(ENTITY_MODELS).getAll(after === undefined ? null : IDBKeyRange.lowerBound(after, true), limit);
      const final = read.length < limit;
      const records = held;
      for (const record of read) {
        if (!isEntityModelRecord(record)) throw cacheError("SYNC_CACHE_CORRUPT", "an entity-model record is unreadable");
        records.push(record);
      }
      const last = records[records.length - 1];
      if (last !== undefined) after = [last.scope, last.entityId, last.model];
      // Hold back the last entity's records unless this was the last batch: its other models may follow.
      let upTo = records.length;
      if (!final && last !== undefined) while (upTo > 0 && sameEntity(records[upTo - 1] as EntityModelRecord, last)) upTo -= 1;
      if (!final && upTo === 0) {
        // One entity with more models than a batch: read a bigger one.
        held = records;
        limit = Math.min(limit * 2, MAX_SLICE_RECORDS);
        continue;
      }
      held = records.slice(upTo);
      const complete = records.slice(0, upTo);
      const boundary = final ? undefined : entityKey(complete[complete.length - 1] as EntityModelRecord);
      const range = tombstoneRange(tombstonesAfter, boundary);
      const tombstones: unknown[] = range === false ? [] : await tx.objectStore(ENTITY_TOMBSTONES).getAll(range);
      const sliceStart = clock();
      for (const tombstone of tombstones) if (!isEntityTombstoneRecord(tombstone)) throw cacheError("SYNC_CACHE_CORRUPT", "an entity tombstone is unreadable");
      const lastTombstone = tombstones[tombstones.length - 1] as EntityTombstoneRecord | undefined;
      if (lastTombstone !== undefined) tombstonesAfter = [lastTombstone.scope, lastTombstone.entityId];
      const handed = handOver(complete, tombstones as EntityTombstoneRecord[], onMessages);
      entities += handed.entities;
      messages += handed.messages;
      slices += 1;
      const spent = clock() - sliceStart;
      if (spent > counters.longestHydrateSliceMs) counters.longestHydrateSliceMs = spent;
      limit = Math.round(Math.min(MAX_SLICE_RECORDS, Math.max(MIN_SLICE_RECORDS, (limit * budget) / Math.max(spent, budget / 8))));
      if (final) return result(true);
      await yieldTurn(timers);
    }
  } catch (thrown) {
    failure.fail(classifyStorageError(thrown, "reading the cache"));
    return result(false);
  }
}

/** Join records and tombstones (both in key order) per entity, and hand the messages over per scope run. */
function handOver(records: readonly EntityModelRecord[], tombstones: readonly EntityTombstoneRecord[], onMessages: CachedMessagesListener): { entities: number; messages: number } {
  let entities = 0;
  let count = 0;
  let scope: LedgerScope | undefined;
  let batch: ToriiEntityMessage[] = [];
  const flush = (): void => {
    if (scope !== undefined && batch.length > 0) deliver(onMessages, scope, batch);
    batch = [];
  };
  let r = 0;
  let t = 0;
  while (r < records.length || t < tombstones.length) {
    const record = records[r];
    const tombstone = tombstones[t];
    const order = record === undefined ? 1 : tombstone === undefined ? -1 : compareEntity(record, tombstone);
    const head = (order <= 0 ? record : tombstone) as { scope: LedgerScope; entityId: string };
    const models: EntityModelRecord[] = [];
    if (order <= 0) while (r < records.length && sameEntity(records[r] as EntityModelRecord, head)) models.push(records[r++] as EntityModelRecord);
    const tombstoneAt = order >= 0 ? (tombstone as EntityTombstoneRecord).at : undefined;
    if (order >= 0) t += 1;
    if (head.scope !== scope) {
      flush();
      scope = head.scope;
    }
    const list = entityMessages(head.entityId, tombstoneAt, models);
    for (const message of list) batch.push(message);
    count += list.length;
    entities += 1;
  }
  flush();
  return { entities, messages: count };
}

function deliver(onMessages: CachedMessagesListener, scope: LedgerScope, messages: readonly ToriiEntityMessage[]): void {
  try {
    onMessages(scope, messages);
  } catch (thrown) {
    // The listener is the engine's: its bug surfaces, and the cache's own reading goes on.
    queueMicrotask(() => {
      throw thrown;
    });
  }
}

/** Tombstones after the last one read, up to and including the boundary entity (all the rest without one). */
function tombstoneRange(after: EntityKey | undefined, upTo: EntityKey | undefined): IDBKeyRange | null | false {
  if (after === undefined) return upTo === undefined ? null : IDBKeyRange.upperBound(upTo);
  if (upTo === undefined) return IDBKeyRange.lowerBound(after, true);
  if (compareKeys(after, upTo) >= 0) return false;
  return IDBKeyRange.bound(after, upTo, true, false);
}

function entityKey(record: { scope: LedgerScope; entityId: string }): EntityKey {
  return [record.scope, record.entityId];
}

function sameEntity(a: { scope: string; entityId: string }, b: { scope: string; entityId: string }): boolean {
  return a.entityId === b.entityId && a.scope === b.scope;
}

/** IndexedDB's order on `[scope, entityId]`: strings by code unit, as `<` compares them. */
function compareEntity(a: { scope: string; entityId: string }, b: { scope: string; entityId: string }): number {
  return compareKeys([a.scope, a.entityId], [b.scope, b.entityId]);
}

function compareKeys(a: readonly [string, string], b: readonly [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}
