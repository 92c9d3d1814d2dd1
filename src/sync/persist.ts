import type { EntityId } from "../core/entity-id";
import type { Timers } from "../core/clock";
import type { IntakeSink, ReadPacing } from "../core/ports";
import type { CacheHooks, CacheHydration, PersistedCache, PersistedCacheFactory } from "../core/warm-start";
import { bindComponents, type ComponentsInput } from "../core/writer/bindings";
import { cacheIdentity, defaultCacheName, openSyncCache, type CacheWriter, type PersistOptions, type SyncCache, type SyncChannel } from "../persist/index";
import { decodeEntity } from "../torii/decode";

export interface PersistInput {
  readonly components: ComponentsInput;
  readonly worldAddresses: readonly string[] | undefined;
  readonly timers: Timers | undefined;
  /** The clause and model list synced: part of the cache's identity. */
  readonly scope: { readonly clause: unknown; readonly models: readonly string[] | undefined };
}

/** The persisted cache of one pipeline, as src/sync wires it: the engine's port, and the tabs' use of it. */
export interface PersistHandle {
  /** The database's name. */
  readonly name: string;
  readonly factory: PersistedCacheFactory;
  /**
   * Whether this tab writes the cache (it leads, or is alone) and, with a channel, relays what it writes to the other
   * tabs and answers their hellos once its cache is flushed. @default writing, no channel
   */
  setWriting(writing: boolean, channel?: SyncChannel): void;
  /** Tell the engine this tab's part (for its metrics); "alone" once it left the sharing. */
  tab(role: "leader" | "follower" | "alone", leaderChanges: number): void;
  /** Read the whole cache into `sink` (a follower's snapshot); the entities read. */
  read(sink: IntakeSink, pacing?: ReadPacing): Promise<number>;
  /** Called once when this tab's cache fails (reported to the engine first): the tabs then stop sharing through it. */
  onFailed(listener: () => void): void;
}

const MISS: CacheHydration = { hit: false, entities: 0, messages: 0, durationMs: 0, ageMs: undefined };

/**
 * The engine's persisted-cache port over the IndexedDB cache of src/persist: hydration hands the cached rows to the
 * Torii decoder as entity messages (the path a page takes), the writer gets the admitted changes, and the watermark
 * moves only when the engine says everything up to it is in. `undefined` when `persist` is off.
 */
export function persistedCache(persist: PersistOptions | false | undefined, input: PersistInput): PersistHandle | undefined {
  if (persist === undefined || persist === false) return undefined;
  const worldAddresses = input.worldAddresses ?? [];
  // Who may read the cache: this schema (models, members, types), these worlds and this scope, this SDK version.
  const identity = cacheIdentity({ bindings: bindComponents(input.components), worldAddresses, scope: { clause: input.scope.clause ?? null, models: [...(input.scope.models ?? [])].sort() } });
  const name = persist.name ?? defaultCacheName(worldAddresses);
  let cache: SyncCache | undefined;
  let writer: CacheWriter | undefined;
  let writing = true;
  let relay: SyncChannel | undefined;
  let stopAnswering: (() => void) | undefined;
  let engine: CacheHooks | undefined;
  let failed: (() => void) | undefined;
  const answer = (): void => {
    stopAnswering?.();
    stopAnswering = undefined;
    if (!writing || relay === undefined) return;
    stopAnswering = relay.answerHellos(async () => {
      await writer?.flush();
      return cache?.readWatermark();
    });
  };
  const factory: PersistedCacheFactory = (hooks): PersistedCache => {
    engine = hooks;
    let closed = false;
    return {
      async hydrate(sink, pacing) {
        if (closed) return MISS;
        const opened = await openSyncCache({
          name,
          identity,
          onError: (error) => {
            hooks.failed(error);
            failed?.();
            failed = undefined;
          },
          ...(persist.indexedDB === undefined ? {} : { indexedDB: persist.indexedDB }),
          ...(persist.worker === undefined ? {} : { worker: persist.worker }),
          ...(input.timers === undefined ? {} : { timers: input.timers }),
        });
        if (opened === undefined) return MISS;
        if (closed) {
          opened.close();
          return MISS;
        }
        cache = opened;
        // Deleted under this tab (clearPersistedSync on a logout without a reload, another tab's upgrade): no error, but
        // a tab cannot share through a cache that is gone. It leaves the sharing and syncs from Torii (see tabs.ts), as
        // a failed cache makes it; staying, a leader relayed nothing, and a tab opened later followed an empty cache.
        opened.onDropped(() => {
          if (closed) return;
          failed?.();
          failed = undefined;
        });
        writer = opened.createWriter({
          watermark: "explicit",
          onFlushed: () => {
            const { flushes, entitiesWritten, bytesWritten, watermarkWritten, writeSlices, longestWriteSliceMs } = opened.counters();
            hooks.flushed({ flushes, entitiesWritten, bytesWritten, watermark: watermarkWritten, writeSlices, longestWriteSliceMs });
          },
        });
        const result = await opened.hydrate((scope, messages) => {
          for (const message of messages) decodeEntity(message, scope, false, sink, cachedId);
        }, { pacing });
        if (result.entities === 0) return MISS;
        const { longestHydrateSliceMs } = opened.counters();
        return { hit: true, entities: result.entities, messages: result.messages, durationMs: result.durationMs, ageMs: result.ageMs, watermark: result.complete ? result.watermark?.executedAt : undefined, slices: result.slices, longestSliceMs: longestHydrateSliceMs };
      },
      record(changes) {
        if (!writing) return;
        writer?.note(changes);
        // After the writer's note: a hello's flush then covers everything relayed before it.
        relay?.publish(changes);
      },
      markComplete(executedAt) {
        if (writing) writer?.noteWatermark(executedAt);
      },
      close() {
        if (closed) return;
        closed = true;
        stopAnswering?.();
        stopAnswering = undefined;
        writer?.close();
        cache?.close();
      },
    };
  };
  return {
    name,
    factory,
    tab: (role, leaderChanges) => engine?.tab?.(role, leaderChanges),
    setWriting(next, channel) {
      writing = next;
      relay = channel;
      answer();
    },
    onFailed(listener) {
      failed = listener;
    },
    async read(sink, pacing) {
      if (cache === undefined || cache.dropped) return 0;
      const result = await cache.hydrate((scope, messages) => {
        for (const message of messages) decodeEntity(message, scope, false, sink, cachedId);
      }, { pacing });
      return result.entities;
    },
  };
}

/**
 * A cached entity's id as it is: the cache only hands over ids it checked are in the normalized form (`0x` and 64
 * lowercase hex digits, see entity-row.ts). Normalizing them again cost a regex and a padding each, and filled the shared
 * memo of ids with a whole world's worth (it clears at 100,000).
 */
const cachedId = (raw: unknown): EntityId => raw as EntityId;
