import { systemTimers, type Timers } from "../core/clock";
import { SyncError, toSyncError } from "../core/errors";
import type { LedgerScope, UpdateOrigin } from "../core/types";
import type { ToriiClientLike, ToriiPageLike, ToriiQuery } from "./client-types";
import { createLegacyRefetcher, legacyNotice } from "./legacy-refetch";
import { subscribeWithTimeout, type StreamHandle } from "./subscription";

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
  readonly timers?: Timers;
}

export interface SourcePage {
  /** Entities as Torii sent them: the pipeline checks them as it ingests them. */
  readonly items: readonly unknown[];
  readonly nextCursor: string | undefined;
}

/** Receives every stream message as the client handed it over (one entity, whatever the callback shape). */
export type StreamSink = (entity: unknown) => void;

/**
 * What the pipeline consumes: pages by cursor and streams, per scope, with transport concerns handled (timeouts,
 * idempotent cancel, callback shapes, string errors). Entities stay raw: the pipeline validates them in one pass.
 */
export interface SyncSource {
  readonly scopes: readonly LedgerScope[];
  fetchPage(scope: LedgerScope, cursor: string | undefined, limit: number, origin: UpdateOrigin): Promise<SourcePage>;
  subscribe(scope: LedgerScope, sink: StreamSink): Promise<StreamHandle>;
  /** Streams currently open through this source (for teardown checks). */
  openStreams(): number;
  /**
   * Fail every request still in flight with SYNC_CANCELLED, clear its timer (the wasm client cannot abort one), and
   * refuse new ones: the source is done.
   */
  cancelPending(): void;
}

const DEFAULTS = { subscribeTimeoutMs: 10_000, pageTimeoutMs: 30_000 } as const;

export function createToriiSource(client: ToriiClientLike, options: ToriiSourceOptions = {}): SyncSource {
  const timers = options.timers ?? systemTimers;
  const scopes = options.scopes ?? ["entities"];
  const subscribeTimeoutMs = options.subscribeTimeoutMs ?? DEFAULTS.subscribeTimeoutMs;
  const pageTimeoutMs = options.pageTimeoutMs ?? DEFAULTS.pageTimeoutMs;
  let open = 0;
  const inFlight = new Set<(error: SyncError) => void>();
  let closed = false;
  const refuse = (): Promise<never> => Promise.reject(new SyncError("SYNC_CANCELLED", "The source was cancelled with its pipeline."));

  for (const scope of scopes) {
    if (scope === "events" && (client.getEventMessages === undefined || client.onEventMessageUpdated === undefined)) {
      throw new SyncError("SYNC_TORII_ERROR", "The client has no getEventMessages/onEventMessageUpdated: it cannot sync the events scope.");
    }
  }

  // Newest executed_at that passed through this source: the version of a removal a legacy client reports.
  let newestSeen = 0;
  const noteSeen = (entity: unknown): void => {
    const executedAt = (entity as { executed_at?: unknown } | null)?.executed_at;
    if (typeof executedAt === "number" && executedAt > newestSeen) newestSeen = executedAt;
  };

  const query = (cursor: string | undefined, limit: number, clause: unknown = options.clause): ToriiQuery => ({
    world_addresses: [...(options.worldAddresses ?? [])],
    pagination: { limit, cursor, direction: "Forward", order_by: [] },
    clause,
    // true makes Torii send 0x0 for every id.
    no_hashed_keys: false,
    models: [...(options.models ?? [])],
    historical: false,
  });

  return {
    scopes,
    openStreams: () => open,
    cancelPending() {
      closed = true;
      for (const abort of [...inFlight]) abort(new SyncError("SYNC_CANCELLED", "The request was cancelled with the pipeline."));
    },
    async fetchPage(scope, cursor, limit, origin) {
      if (closed) return refuse();
      const request = (): Promise<ToriiPageLike> =>
        scope === "entities" ? client.getEntities(query(cursor, limit)) : (client.getEventMessages as NonNullable<ToriiClientLike["getEventMessages"]>)(query(cursor, limit));
      const page = await withTimeout(request, pageTimeoutMs, timers, `Fetching a page of ${scope}`, inFlight);
      if (page === null || typeof page !== "object" || !Array.isArray(page.items)) {
        throw new SyncError("SYNC_BAD_PAYLOAD", `Torii answered a page of ${scope} without an items list.`);
      }
      const next = page.next_cursor;
      void origin;
      for (const item of page.items) noteSeen(item);
      return { items: page.items, nextCursor: typeof next === "string" && next.length > 0 ? next : undefined };
    },
    async subscribe(scope, sink) {
      if (closed) return refuse();
      let live = true;
      const refetch = (ids: readonly string[]): Promise<readonly unknown[]> => {
        if (closed) return refuse();
        const ask = (): Promise<ToriiPageLike> =>
          scope === "entities"
            ? client.getEntities(query(undefined, ids.length, { HashedKeys: ids }))
            : (client.getEventMessages as NonNullable<ToriiClientLike["getEventMessages"]>)(query(undefined, ids.length, { HashedKeys: ids }));
        return withTimeout(ask, pageTimeoutMs, timers, `Reading entities a legacy callback reported (${scope})`, inFlight).then((page) => page.items);
      };
      const legacy = createLegacyRefetcher({
        fetchByIds: refetch,
        deliver: (entity) => {
          if (!live) return;
          noteSeen(entity);
          sink(entity);
        },
        newestSeen: () => newestSeen,
        timers,
      });
      const callback = (...args: unknown[]): void => {
        if (!live) return;
        const notice = legacyNotice(args);
        if (notice !== undefined) {
          legacy.note(notice);
          return;
        }
        const entity = entityFromCallback(args);
        noteSeen(entity);
        sink(entity);
      };
      const worldAddresses = options.worldAddresses === undefined ? undefined : [...options.worldAddresses];
      const subscribe = () =>
        scope === "entities"
          ? client.onEntityUpdated(options.clause, worldAddresses, callback)
          : (client.onEventMessageUpdated as NonNullable<ToriiClientLike["onEventMessageUpdated"]>)(options.clause, worldAddresses, callback);
      open += 1;
      return subscribeWithTimeout(
        subscribe,
        subscribeTimeoutMs,
        timers,
        `Subscribing to ${scope}`,
        () => {
          if (!live) return;
          live = false;
          open -= 1;
          legacy.cancel();
        },
        inFlight,
      );
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

function withTimeout<T>(request: () => Promise<T>, timeoutMs: number, timers: Timers, what: string, inFlight: Set<(error: SyncError) => void>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      inFlight.delete(abort);
      action();
    };
    const abort = (error: SyncError): void => settle(() => reject(error));
    const timer = timers.setTimeout(() => abort(new SyncError("SYNC_PAGE_TIMEOUT", `${what}: no answer within ${timeoutMs} ms.`)), timeoutMs);
    inFlight.add(abort);
    let pending: Promise<T>;
    try {
      pending = request();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(toSyncError(error, "SYNC_TORII_ERROR", what))),
    );
  });
}
