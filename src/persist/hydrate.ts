import type { LedgerScope } from "../core/types";
import { sliceClock, yieldTurn, type CacheConnection } from "./connection";
import { decodeEntity } from "./entity-row";
import { ENTITIES, META, isEntityKey, isWatermark, type EntityKey, type EntityState, type Watermark } from "./layout";
import { entityMessages, type ToriiEntityMessage } from "./messages";
import { rawDatabase, settled } from "./requests";
import { cacheError, classifyStorageError } from "./storage-errors";

/** Receives the cache's content, one slice at a time: feed it to the engine's decoder (same path as a Torii page). */
export type CachedMessagesListener = (scope: LedgerScope, messages: readonly ToriiEntityMessage[]) => void;

export interface HydrateOptions {
  /** Main-thread time a slice aims at; the next slice reads more or fewer records to match it. @default 4 */
  readonly sliceBudgetMs?: number;
  /** Entities the first slice reads. @default 256 */
  readonly firstSliceEntities?: number;
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

/** A batch of stored entities as read: keys and bodies in the same order, and how many were asked for. */
interface Batch {
  readonly keys: readonly unknown[];
  readonly bodies: readonly unknown[];
  readonly asked: number;
}

const MIN_SLICE_ENTITIES = 16;
const MAX_SLICE_ENTITIES = 10_000;
/** Entities a read asks for after the first (at least a slice's worth): rows are strings, cheap for the storage to hand over. */
const READ_BATCH = 1_000;

/**
 * Read the whole cache back as Torii entity messages, entity by entity in key order, in slices: rows are read in
 * batches (each in its own transaction, the next asked for as soon as one is in), and each slice decodes some of them
 * and hands the messages over (how many follows the time the last slice took); then the event loop gets a turn.
 */
export async function hydrateCache(connection: CacheConnection, onMessages: CachedMessagesListener, options: HydrateOptions = {}): Promise<HydrateResult> {
  const { db, timers, counters, failure } = connection;
  const clock = sliceClock(timers);
  const budget = options.sliceBudgetMs ?? 4;
  const started = clock();
  let limit = options.firstSliceEntities ?? 256;
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
    const read = (after: EntityKey | undefined, asked: number): Promise<Batch> => {
      // The bodies and their keys, over the same range and count in one transaction: the same records, in order.
      const store = raw.transaction(ENTITIES, "readonly").objectStore(ENTITIES);
      const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
      const reading = settled([store.getAllKeys(range, asked), store.getAll(range, asked)]).then(([keys, bodies]) => ({ keys: keys as unknown[], bodies: bodies as unknown[], asked }));
      // A read asked for ahead may fail after a slice failed and the cache was dropped: nobody awaits it then.
      reading.catch(() => undefined);
      return reading;
    };
    let reading: Promise<Batch> | undefined = read(undefined, limit);
    let buffer: Batch = { keys: [], bodies: [], asked: 0 };
    let at = 0;
    for (;;) {
      if (at === buffer.keys.length) {
        if (reading === undefined) return result(true);
        buffer = await reading;
        at = 0;
        if (!connection.usable()) return result(false);
        // The next batch is asked for as soon as this one is in: a read is a round trip to the storage process,
        // longer than a slice, so reads run ahead of the slices instead of between them.
        const { keys, bodies, asked } = buffer;
        const last = keys[keys.length - 1];
        if (keys.length !== bodies.length || (keys.length === asked && !isEntityKey(last))) throw cacheError("SYNC_CACHE_CORRUPT", "an entity record is unreadable");
        reading = keys.length < asked ? undefined : read(last as EntityKey, Math.max(READ_BATCH, limit));
        continue;
      }
      // Cancelled, or the cache dropped or deleted meanwhile: nothing more of the buffer reaches the engine.
      if (!connection.usable()) return result(false);
      const sliceStart = clock();
      const end = Math.min(buffer.keys.length, at + limit);
      messages += handOver(buffer, at, end, onMessages);
      const handed = end - at;
      entities += handed;
      at = end;
      slices += 1;
      const spent = clock() - sliceStart;
      if (spent > counters.longestHydrateSliceMs) counters.longestHydrateSliceMs = spent;
      // Sized from what this slice handed over: the last slice of a batch hands over only what was left.
      limit = Math.round(Math.min(MAX_SLICE_ENTITIES, Math.max(MIN_SLICE_ENTITIES, (handed * budget) / Math.max(spent, budget / 8))));
      if (at < buffer.keys.length || reading !== undefined) await yieldTurn(timers);
    }
  } catch (thrown) {
    failure.fail(classifyStorageError(thrown, "reading the cache"));
    return result(false);
  }
}

/**
 * Decode the batch's entities `from` to `to` (in key order) and hand their messages over per scope run. Every one is
 * decoded before any is handed over, so a corrupt one fails the slice before it reaches the engine.
 */
function handOver(read: Batch, from: number, to: number, onMessages: CachedMessagesListener): number {
  const decoded: EntityState[] = [];
  for (let i = from; i < to; i += 1) decoded.push(decodeEntity(read.keys[i], read.bodies[i]));
  let count = 0;
  let scope: LedgerScope | undefined;
  let batch: ToriiEntityMessage[] = [];
  const flush = (): void => {
    if (scope !== undefined && batch.length > 0) deliver(onMessages, scope, batch);
    batch = [];
  };
  for (const entity of decoded) {
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
