import type { EntityId } from "../core/entity-id";
import type { IntakeSink, ReadPacing, StreamHandle, SyncSource } from "../core/ports";
import type { LedgerScope } from "../core/types";
import type { SyncChannel } from "../persist/index";
import { decodeEntity } from "../torii/decode";

/** Reads the whole persisted cache into a sink (as a warm start does), resolving with the entities read. */
export type CacheRead = (sink: IntakeSink, pacing?: ReadPacing) => Promise<number>;

/**
 * A follower tab's source: the leader tab instead of Torii. Its stream is the leader's admitted changes on the tabs'
 * channel; its snapshot is the shared cache, read after the leader flushed it (hello), so every change is in the cache
 * or on the channel after this tab listened. Everything goes through the follower's own decoder and admission.
 */
export function createRelaySource(channel: SyncChannel, read: CacheRead, scopes: readonly LedgerScope[], helloTimeoutMs = 2_000): SyncSource {
  let open = 0;
  let closed = false;
  const first = scopes[0];
  return {
    scopes,
    openStreams: () => open,
    cancelPending() {
      closed = true;
    },
    async fetchPage(scope, _cursor, limit, sink, room) {
      // One read of the cache covers every scope: it is handed over with the first.
      if (closed || scope !== first) return { nextCursor: undefined, rows: 0 };
      await channel.hello(helloTimeoutMs);
      const whole = wholeEntities(sink);
      // The whole cache is one page: handed over in parts of a page each, with room made between them.
      const rows = await read(whole, room === undefined ? undefined : { maxEntities: limit, room });
      whole.end();
      return { nextCursor: undefined, rows };
    },
    async subscribe(scope, sink): Promise<StreamHandle> {
      let live = true;
      open += 1;
      const off =
        scope === first
          ? channel.onChanges((batches) => {
              if (!live) return;
              for (const { scope: into, messages } of batches) for (const message of messages) decodeEntity(message, into, false, sink);
            })
          : () => undefined;
      return {
        cancel() {
          if (!live) return;
          live = false;
          open -= 1;
          off();
        },
        get cancelled() {
          return !live;
        },
      };
    },
  };
}

/**
 * The cache hands an entity over as one message per block time; a snapshot must see the entity whole (a model absent
 * from one of its messages is not a removal). So the end of an entity is told once, when the next one starts.
 */
function wholeEntities(sink: IntakeSink): IntakeSink & { end(): void } {
  let held: [LedgerScope, EntityId, number] | undefined;
  const before = (scope: LedgerScope, entityId: EntityId): void => {
    if (held !== undefined && (held[0] !== scope || held[1] !== entityId)) flush();
  };
  const flush = (): void => {
    if (held === undefined) return;
    const [scope, entityId, executedAt] = held;
    held = undefined;
    sink.entityEnd(scope, entityId, executedAt);
  };
  const wrapped: IntakeSink & { end(): void } = {
    write(scope, entityId, executedAt, model, members, memberCount) {
      before(scope, entityId);
      sink.write(scope, entityId, executedAt, model, members, memberCount);
    },
    deleteModel(scope, entityId, executedAt, model) {
      before(scope, entityId);
      sink.deleteModel(scope, entityId, executedAt, model);
    },
    deleteEntity(scope, entityId, executedAt) {
      before(scope, entityId);
      sink.deleteEntity(scope, entityId, executedAt);
    },
    gap: () => sink.gap(),
    reject(error, scope, entityId, executedAt) {
      if (entityId !== undefined) before(scope, entityId);
      sink.reject(error, scope, entityId, executedAt);
    },
    entityEnd(scope, entityId, executedAt) {
      before(scope, entityId);
      held = [scope, entityId, Math.max(executedAt, held?.[2] ?? 0)];
    },
    closedStream: () => sink.closedStream(),
    end: flush,
  };
  return wrapped;
}
