import { systemTimers, type Timers } from "../core/clock";
import { withDeadline } from "../core/deadline";
import { createEntityIdNormalizer } from "../core/entity-id";
import { Slicer } from "../core/util/slicer";
import { SyncError, toSyncError } from "../core/errors";
import type { RecentWrite, ScopeWatermark, SyncSource } from "../core/ports";
import type { LedgerScope } from "../core/types";
import type { ToriiClientLike, ToriiPageLike, ToriiQuery } from "./client-types";
import { decodeEntity } from "./decode";
import { createLegacyRefetcher, legacyNotice } from "./legacy-refetch";
import { probeIndexerHead, probeSqlWatermark, readRecentWrites } from "./probes";
import { scopedWatermarkQuery } from "./sql-scope";
import { subscribeWithTimeout } from "./subscription";

export interface ToriiSourceOptions {
  /** Torii clause that selects the synced scope; `undefined` syncs the whole world. @default undefined */
  readonly clause?: unknown;
  /** World addresses passed to Torii. @default [] (the client's configured world) */
  readonly worldAddresses?: readonly string[];
  /** Which ledgers to sync: entities, event messages, or both. @default ["entities"] */
  readonly scopes?: readonly LedgerScope[];
  /** Restrict pages to these model tags; empty means every model. @default [] */
  readonly models?: readonly string[];
  /** How long a subscribe may take to be confirmed before it fails with SYNC_SUBSCRIBE_TIMEOUT. @default 10_000 */
  readonly subscribeTimeoutMs?: number;
  /** How long one page request may take before it fails with SYNC_PAGE_TIMEOUT. @default 30_000 */
  readonly pageTimeoutMs?: number;
  /**
   * The URL the app built its ToriiClient with: the source then reads the SQL watermark of the synced scope from
   * `{toriiUrl}/sql` (the models in `syncedModels`, narrowed by the clause where SQL can express it). @default undefined
   */
  readonly toriiUrl?: string;
  /** The models the client binds: what the SQL watermark counts. @default [] */
  readonly syncedModels?: readonly string[];
  /** Injected fetch for `/sql` (tests, SSR). @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** How long one `/sql` request may take before it counts as failed. @default 10_000 */
  readonly sqlTimeoutMs?: number;
  readonly timers?: Timers;
}

/** The transport deadlines, in one place. */
export const TORII_SOURCE_DEFAULTS = { subscribeTimeoutMs: 10_000, pageTimeoutMs: 30_000, sqlTimeoutMs: 10_000 } as const;

/** Why the source has no SQL watermark, when it has none (the pipeline says it once). */
export type WatermarkUnavailable = "no-torii-url" | "clause-not-sql";

/**
 * The core's source port over a ToriiClient: pages and streams decoded into the core's intake sink by the one decoder,
 * with transport concerns handled here (deadlines, idempotent cancel, callback shapes, string errors, the scoped SQL
 * watermark, the indexer head).
 */
export function createToriiSource(client: ToriiClientLike, options: ToriiSourceOptions = {}): SyncSource & { readonly watermarkUnavailable?: WatermarkUnavailable } {
  if (typeof (client as { then?: unknown }).then === "function") {
    // `new ToriiClient(…)` returns a Promise although its types say otherwise: a common slip that fails much later.
    throw new SyncError("SYNC_CLIENT_NOT_READY", "The Torii client passed is a Promise: `new ToriiClient(config)` resolves to the client, so `await` it first.");
  }
  const timers = options.timers ?? systemTimers;
  const scopes = options.scopes ?? ["entities"];
  const { subscribeTimeoutMs, pageTimeoutMs, sqlTimeoutMs } = { ...TORII_SOURCE_DEFAULTS, ...definedOnly(options) };
  let open = 0;
  const inFlight = new Set<(error: SyncError) => void>();
  let closed = false;
  const refuse = (): Promise<never> => Promise.reject(new SyncError("SYNC_CANCELLED", "The source was cancelled with its pipeline."));
  // Newest executed_at that passed through this source: the version of a removal a legacy client reports.
  let newestSeen = 0;
  const normalizeId = createEntityIdNormalizer();
  // Takes what the decoder read (-1 when it had no valid executed_at): reading the entity here again would let a
  // throwing getter out of the callback, and note a timestamp the decoder refused.
  const noteSeen = (executedAt: number): void => {
    if (executedAt > newestSeen) newestSeen = executedAt;
  };

  for (const scope of scopes) {
    if (scope === "events" && (client.getEventMessages === undefined || client.onEventMessageUpdated === undefined)) {
      throw new SyncError("SYNC_TORII_ERROR", "The client has no getEventMessages/onEventMessageUpdated: it cannot sync the events scope.");
    }
  }

  const query = (cursor: string | undefined, limit: number, clause: unknown = options.clause): ToriiQuery => ({
    world_addresses: [...(options.worldAddresses ?? [])],
    pagination: { limit, cursor, direction: "Forward", order_by: [] },
    clause,
    // true makes Torii send 0x0 for every id.
    no_hashed_keys: false,
    models: [...(options.models ?? [])],
    historical: false,
  });
  const request = (scope: LedgerScope, q: ToriiQuery, what: string): Promise<ToriiPageLike> => {
    if (closed) return refuse();
    const ask = (): Promise<ToriiPageLike> => (scope === "entities" ? client.getEntities(q) : (client.getEventMessages as NonNullable<ToriiClientLike["getEventMessages"]>)(q));
    return withDeadline(ask, pageTimeoutMs, timers, () => new SyncError("SYNC_PAGE_TIMEOUT", `${what}: no answer within ${pageTimeoutMs} ms.`), (error) => toSyncError(error, "SYNC_TORII_ERROR", what), inFlight);
  };

  const scoped = options.toriiUrl === undefined ? undefined : scopedWatermarkQuery(options.syncedModels ?? [], options.clause);
  const toriiUrl = options.toriiUrl;
  const sql = (query: string) => ({ url: toriiUrl as string, query, timers, inFlight, timeoutMs: sqlTimeoutMs, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) });
  const watermark = toriiUrl === undefined || scoped === undefined ? undefined : (): Promise<ScopeWatermark> => (closed ? refuse() : probeSqlWatermark(sql(scoped.sql)));
  const recentWrites =
    toriiUrl === undefined || scoped === undefined
      ? undefined
      : (from: number, to: number, limit: number): Promise<readonly RecentWrite[]> => (closed ? refuse() : readRecentWrites(sql(scoped.recentWrites(from, to, limit))));
  const getContracts = client.getContracts;

  return {
    scopes,
    restrictsModels: (options.models?.length ?? 0) > 0,
    ...(watermark === undefined ? {} : { watermark }),
    ...(recentWrites === undefined ? {} : { recentWrites }),
    ...(toriiUrl === undefined ? { watermarkUnavailable: "no-torii-url" as const } : scoped === undefined ? { watermarkUnavailable: "clause-not-sql" as const } : {}),
    ...(getContracts === undefined ? {} : { head: () => (closed ? refuse() : probeIndexerHead(client, options.worldAddresses?.[0])) }),
    openStreams: () => open,
    cancelPending() {
      closed = true;
      for (const abort of [...inFlight]) abort(new SyncError("SYNC_CANCELLED", "The request was cancelled with the pipeline."));
    },
    async fetchPage(scope, cursor, limit, sink) {
      const page = await request(scope, query(cursor, limit), `Fetching a page of ${scope}`);
      if (page === null || typeof page !== "object" || !Array.isArray(page.items)) {
        throw new SyncError("SYNC_BAD_PAYLOAD", `Torii answered a page of ${scope} without an items list.`);
      }
      // A page can hold tens of thousands of entities: read it in slices of a few ms, the event loop let in between.
      const slicer = new Slicer(timers, undefined, () => closed);
      for (const item of page.items) {
        noteSeen(decodeEntity(item, scope, false, sink, normalizeId));
        if (slicer.due()) await slicer.pause();
      }
      slicer.end();
      const next = page.next_cursor;
      return { nextCursor: typeof next === "string" && next.length > 0 ? next : undefined, rows: page.items.length };
    },
    async subscribe(scope, sink) {
      if (closed) return refuse();
      let live = true;
      const deliver = (entity: unknown): void => {
        if (!live) {
          sink.closedStream();
          return;
        }
        noteSeen(decodeEntity(entity, scope, true, sink, normalizeId));
      };
      const legacy = createLegacyRefetcher({
        fetchByIds: (ids) => request(scope, query(undefined, ids.length, { HashedKeys: ids }), `Reading entities a legacy callback reported (${scope})`).then((page) => page.items),
        deliver,
        newestSeen: () => newestSeen,
        timers,
      });
      const callback = (first: unknown, second?: unknown): void => {
        // The common shapes, `(entity)` and `(entity, subscriptionId)`, without an array per message.
        if (typeof first !== "string") {
          deliver(first);
          return;
        }
        const notice = legacyNotice([first, second]);
        if (notice === undefined) deliver(entityFromCallback([first, second]));
        else if (live) legacy.note(notice);
        else sink.closedStream();
      };
      const worldAddresses = options.worldAddresses === undefined ? undefined : [...options.worldAddresses];
      const subscribe = () =>
        scope === "entities"
          ? client.onEntityUpdated(options.clause, worldAddresses, callback)
          : (client.onEventMessageUpdated as NonNullable<ToriiClientLike["onEventMessageUpdated"]>)(options.clause, worldAddresses, callback);
      open += 1;
      const release = (): void => {
        if (!live) return;
        live = false;
        open -= 1;
        legacy.cancel();
      };
      return subscribeWithTimeout(subscribe, subscribeTimeoutMs, timers, `Subscribing to ${scope}`, release, inFlight);
    },
  };
}

/**
 * Clients call back in three shapes: `(entity)`, the grpc client's `(entity, subscriptionId)`, and the legacy
 * `(hashedKeys, entity)` (read again for its versions when it carries none: see legacy-refetch.ts).
 */
export function entityFromCallback(args: readonly unknown[]): unknown {
  const [first, second] = args;
  if (typeof first === "string" && second !== null && typeof second === "object") {
    const body = second as Record<string, unknown>;
    return { ...body, hashed_keys: first, models: Object.hasOwn(body, "models") ? body.models : body };
  }
  return first;
}

function definedOnly(options: ToriiSourceOptions): Partial<Record<keyof typeof TORII_SOURCE_DEFAULTS, number>> {
  const out: Partial<Record<keyof typeof TORII_SOURCE_DEFAULTS, number>> = {};
  for (const key of Object.keys(TORII_SOURCE_DEFAULTS) as Array<keyof typeof TORII_SOURCE_DEFAULTS>) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
