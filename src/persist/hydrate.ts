import type { ReadPacing } from "../core/ports";
import type { LedgerScope } from "../core/types";
import { sliceClock, yieldTurn, type CacheConnection } from "./connection";
import { decodeBucket } from "./entity-row";
import { BUCKETS, META, isBucketKey, isWatermark, type BucketKey, type EntityState, type Watermark } from "./layout";
import { entityMessages, type ToriiEntityMessage } from "./messages";
import { rawDatabase, settled } from "./requests";
import { cacheError, classifyStorageError } from "./storage-errors";

/** Receives the cache's content, one slice at a time: feed it to the engine's decoder (same path as a Torii page). */
export type CachedMessagesListener = (scope: LedgerScope, messages: readonly ToriiEntityMessage[]) => void;

export interface HydrateOptions {
  /** Main-thread time a slice aims at; the next slice hands over more or fewer entities to match it. @default 4 */
  readonly sliceBudgetMs?: number;
  /** Entities the first slice hands over. @default 256 */
  readonly firstSliceEntities?: number;
  /** Where the messages go: at most `maxEntities` per slice, each slice after `room()` (the engine's store has a mark). */
  readonly pacing?: ReadPacing | undefined;
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

/** A batch of buckets as read: keys and records in the same order, and how many were asked for. */
interface Batch {
  readonly keys: readonly unknown[];
  readonly bodies: readonly unknown[];
  readonly asked: number;
}

const MIN_SLICE_ENTITIES = 16;
const MAX_SLICE_ENTITIES = 10_000;
/** Buckets the first read asks for: few, so the first content comes soon. */
const FIRST_READ = 16;
/** Buckets a read asks for after the first: a read costs per record, a record is a string, cheap to hand over. */
const READ_BATCH = 128;

/**
 * Read the whole cache back as Torii entity messages, bucket by bucket in key order, in slices: buckets are read in
 * batches (each in its own transaction, the next asked for as soon as one is in), and each slice decodes buckets until
 * it has enough entities and hands their messages over (how many follows the time the last slice took); then the
 * event loop gets a turn.
 */
export async function hydrateCache(connection: CacheConnection, onMessages: CachedMessagesListener, options: HydrateOptions = {}): Promise<HydrateResult> {
  const { db, timers, counters, failure } = connection;
  const clock = sliceClock(timers);
  const budget = options.sliceBudgetMs ?? 4;
  const started = clock();
  const maxSlice = Math.max(1, Math.min(MAX_SLICE_ENTITIES, options.pacing?.maxEntities ?? MAX_SLICE_ENTITIES));
  let limit = Math.min(maxSlice, options.firstSliceEntities ?? 256);
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
    if (!connection.usable()) return result(false);
    const raw = rawDatabase(db);
    const read = (after: BucketKey | undefined, asked: number): Promise<Batch> => {
      // The records and their keys, over the same range and count in one transaction: the same records, in order.
      const store = raw.transaction(BUCKETS, "readonly").objectStore(BUCKETS);
      const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
      const reading = settled([store.getAllKeys(range, asked), store.getAll(range, asked)]).then(([keys, bodies]) => ({ keys: keys as unknown[], bodies: bodies as unknown[], asked }));
      // A read asked for ahead may fail after a slice failed and the cache was dropped: nobody awaits it then.
      reading.catch(() => undefined);
      return reading;
    };
    let reading: Promise<Batch> | undefined = read(undefined, FIRST_READ);
    let batch: Batch = { keys: [], bodies: [], asked: 0 };
    let at = 0;
    /** Entities decoded and not yet handed over (a bucket holds several), from `next` on. */
    let decoded: EntityState[] = [];
    let next = 0;
    for (;;) {
      if (at === batch.keys.length && next === decoded.length) {
        if (reading === undefined) return result(true);
        batch = await reading;
        at = 0;
        if (!connection.usable()) return result(false);
        // The next batch is asked for as soon as this one is in: a read is a round trip to the storage process,
        // longer than a slice, so reads run ahead of the slices instead of between them.
        const { keys, bodies, asked } = batch;
        const last = keys[keys.length - 1];
        if (keys.length !== bodies.length || (keys.length === asked && !isBucketKey(last))) throw cacheError("SYNC_CACHE_CORRUPT", "an entity record is unreadable");
        reading = keys.length < asked ? undefined : read(last as BucketKey, READ_BATCH);
        continue;
      }
      // Room first: past its high-water mark the engine's store drops its backlog, and a cache can hold more than that.
      const draining = options.pacing?.room();
      if (draining !== undefined) await draining;
      // Cancelled, or the cache dropped or deleted meanwhile: nothing more reaches the engine.
      if (!connection.usable()) return result(false);
      const sliceStart = clock();
      // Decode whole buckets until the slice has its entities: a corrupt bucket fails before any of it is handed over.
      while (decoded.length - next < limit && at < batch.keys.length) {
        for (const entity of decodeBucket(batch.keys[at], batch.bodies[at])) decoded.push(entity);
        at += 1;
      }
      const end = Math.min(decoded.length, next + limit);
      messages += handOver(decoded, next, end, onMessages);
      const handed = end - next;
      entities += handed;
      next = end;
      if (next === decoded.length) {
        decoded = [];
        next = 0;
      }
      slices += 1;
      const spent = clock() - sliceStart;
      if (spent > counters.longestHydrateSliceMs) counters.longestHydrateSliceMs = spent;
      // Sized from what this slice handed over: the last slice of a batch hands over only what was left.
      if (handed > 0) limit = Math.round(Math.min(maxSlice, Math.max(Math.min(MIN_SLICE_ENTITIES, maxSlice), (handed * budget) / Math.max(spent, budget / 8))));
      if (at < batch.keys.length || next < decoded.length || reading !== undefined) await yieldTurn(timers);
    }
  } catch (thrown) {
    failure.fail(classifyStorageError(thrown, "reading the cache"));
    return result(false);
  }
}

/**
 * Hand the messages of entities `from` to `to` over, per scope run (buckets are in key order, so scopes come in runs).
 */
function handOver(decoded: readonly EntityState[], from: number, to: number, onMessages: CachedMessagesListener): number {
  let count = 0;
  let scope: LedgerScope | undefined;
  let batch: ToriiEntityMessage[] = [];
  const flush = (): void => {
    if (scope !== undefined && batch.length > 0) deliver(onMessages, scope, batch);
    batch = [];
  };
  for (let i = from; i < to; i += 1) {
    const entity = decoded[i] as EntityState;
    if (entity.scope !== scope) {
      flush();
      scope = entity.scope;
    }
    const list = entityMessages(entity.entityId, entity.tombstoneAt, entity.models.values());
    for (const message of list) batch.push(message);
    count += list.length;
  }
  flush();
  return count;
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
