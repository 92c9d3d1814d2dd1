import type { World } from "@dojoengine/recs";
import { createLogger, type SyncLogger, type TaggedLogger } from "../telemetry/logger";
import type { ToriiClientLike } from "../torii/client-types";
import { probeIndexerHead, probeSqlWatermark } from "../torii/probes";
import { scopedWatermarkQuery } from "../torii/sql-scope";
import { createScopeProbe, type ScopeWatermark } from "./guard/probe";
import { createToriiSource, type ToriiSourceOptions } from "../torii/source";
import { createApplier, type ApplyCounters } from "./apply";
import { systemTimers, type Timers } from "./clock";
import { runEpisode, type EpisodeHost } from "./episode";
import { ReplayScheduler } from "./replay-scheduler";
import { SyncError } from "./errors";
import type { BackoffConfig } from "./guard/backoff";
import { browserEnvironment, type PageEnvironment } from "./guard/environment";
import { LivenessMonitor, type ProbeVerdict } from "./guard/liveness";
import { INITIAL_GUARD_STATE, publicState, reduceGuard, type Evidence, type GuardEvent, type GuardState } from "./guard/reducer";
import { ingestRaw, type RawIngestResult } from "./raw-ingest";
import { EntityLedger, type LedgerStats } from "./ledger";
import { emptyMetrics, type SyncMetrics } from "./metrics";
import { UpdateQueue, type UpdateQueueConfig } from "./queue";
import { confirmRemovals, isSuspicious, planRemovals, RECONCILE_DEFAULTS, type ReconcileLimits, type Removal } from "./reconcile";
import { rereadScope } from "./scope-rows";
import type { StreamHandle, SyncSource } from "./source-types";
import type { SyncState } from "./state";
import { SYNC_GUARD_DEFAULTS, type SyncGuardConfig } from "./sync-guard-config";
import type { LedgerScope } from "./types";
import type { EntityId } from "./entity-id";
import { createVersionPolicy, NO_VERSION, packVersion, versionMajor } from "./version";
import type { ComponentsInput } from "./writer/bindings";
import { RecsWriter } from "./writer/recs-writer";
import type { EnumVariantOrder } from "./writer/convert";

export interface SyncPipelineOptions extends Omit<ToriiSourceOptions, "timers"> {
  /** The Torii client (or anything with its methods). Either this or `source`. */
  readonly client?: ToriiClientLike;
  /** A ready source, e.g. a custom adapter. Takes precedence over `client`. */
  readonly source?: SyncSource;
  /** The game's RECS world. */
  readonly world: World;
  /** The game's `contractComponents` record or an array of components; matched to models by metadata. */
  readonly components: ComponentsInput;
  /** Per model, the dotted path of the component's own version member. @default {} */
  readonly versionPaths?: Readonly<Record<string, string>>;
  /**
   * Variant names in declaration order, per enum type name as Torii sends it (`{ Direction: ["None", "Left", …] }`):
   * an enum stored in a `Number` field (the older codegen's convention) is written as its index. Neither Torii client
   * sends the index; without the order the variant's name is written. @default {}
   */
  readonly enumVariants?: EnumVariantOrder;
  readonly queue?: Partial<UpdateQueueConfig>;
  /** Liveness and replay budget. @default SYNC_GUARD_DEFAULTS */
  readonly guard?: Partial<SyncGuardConfig>;
  /** Delay between replay attempts. @default BACKOFF_DEFAULTS */
  readonly backoff?: Partial<BackoffConfig>;
  /** Safety limits of reconciliation. @default RECONCILE_DEFAULTS */
  readonly reconcile?: Partial<ReconcileLimits>;
  /**
   * The URL the app built its ToriiClient with. It turns on the SQL watermark probe (`{toriiUrl}/sql`), scoped to the
   * models this client binds and to its clause where SQL can express it: a stalled stream is then caught within
   * `heartbeatTimeoutMs + heartbeatCheckIntervalMs` of silence. Without it the guard probes with pages that rotate
   * through the scope (see the README for that bound). @default undefined
   */
  readonly toriiUrl?: string;
  /** Injected fetch for Torii's `/sql` endpoint (tests, SSR). @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** How long one `/sql` request may take before it counts as failed. @default 10_000 */
  readonly sqlTimeoutMs?: number;
  /** Injected timers and clock (fake timers in tests). @default the globals */
  readonly timers?: Timers;
  /** Injected randomness for backoff jitter. @default Math.random */
  readonly random?: () => number;
  /** Visibility and online events. @default the browser's, or none outside a browser */
  readonly environment?: PageEnvironment;
  /** `true` logs to the console, a logger logs to it, `false` is silent. @default false */
  readonly logging?: boolean | SyncLogger;
  /** Called on every state change. */
  readonly onStateChange?: (state: SyncState, previous: SyncState) => void;
}

export interface PipelineInspection {
  readonly state: SyncState;
  readonly metrics: SyncMetrics;
  readonly ledger: Readonly<Record<LedgerScope, LedgerStats>>;
  readonly queueDepth: number;
  readonly openStreams: number;
  readonly replaying: boolean;
  readonly config: SyncGuardConfig;
}

export interface SyncPipeline {
  /** Start syncing (idempotent); resolves with `ready`. */
  start(): Promise<void>;
  /** Resolves once the first consistent state is in RECS; rejects if the budget is spent or the pipeline cancelled first. */
  readonly ready: Promise<void>;
  getState(): SyncState;
  subscribe(listener: (state: SyncState, previous: SyncState) => void): () => void;
  /** Called after each drain and state change: the moment to re-read `metrics()`. Returns the unsubscribe. */
  subscribeMetrics(listener: () => void): () => void;
  /** Called after each drain with the entities whose changes landed. Returns the unsubscribe. */
  subscribeApplied?(listener: (entityIds: readonly EntityId[]) => void): () => void;
  /** The newest version the ledger applied to an entity (entities scope), as a block timestamp in seconds, if any. */
  entityVersion?(entityId: EntityId): number | undefined;
  /** Replay now, from any state (the way out of `error`); joins a replay already running. */
  forceReplay(): Promise<void>;
  /** Stop everything. Idempotent; leaves no timer, listener or stream behind. */
  cancel(): void;
  metrics(): SyncMetrics;
  inspect(): PipelineInspection;
}

export const DEFAULT_REPLAY_PAGE_LIMIT = SYNC_GUARD_DEFAULTS.replayPageLimit;

export function createSyncPipeline(options: SyncPipelineOptions): SyncPipeline {
  const timers = options.timers ?? systemTimers;
  const config: SyncGuardConfig = { ...SYNC_GUARD_DEFAULTS, ...options.guard };
  const log: TaggedLogger = createLogger(options.logging);
  const source = options.source ?? createSourceFromClient(options, timers);
  const writer = new RecsWriter(options.components, {
    ...(options.enumVariants === undefined ? {} : { enumVariants: options.enumVariants }),
    notes: {
      precisionLoss(where, raw) {
        base.warningsByCode.SYNC_PRECISION_LOSS = (base.warningsByCode.SYNC_PRECISION_LOSS ?? 0) + 1;
        log.once("warn", `SYNC_PRECISION_LOSS:${where.replace(/\[\d+\]/g, "[]")}`, `SYNC_PRECISION_LOSS: ${where} = ${raw} is wider than a Number field holds exactly; stored as the nearest double (declare the field BigInt to keep it exact).`);
      },
    },
  });
  const policy = createVersionPolicy(options.versionPaths === undefined ? {} : { versionPaths: options.versionPaths });
  const ownVersioned = (model: string): boolean => policy.hasOwnVersion(model);
  const ledgers: Record<LedgerScope, EntityLedger> = { entities: new EntityLedger(ownVersioned), events: new EntityLedger(ownVersioned) };
  const counters: ApplyCounters = { applied: 0, droppedStale: 0, lastAppliedVersion: -1, lastExecutedAt: 0, seenExecutedAt: 0, deletes: 0 };
  let deletesAtLastPrune = 0;
  /** Forget tombstones older than the horizon: after each replay, and every 10,000 deletes in a long session without one. */
  const pruneTombstones = (): void => {
    deletesAtLastPrune = counters.deletes;
    const horizon = counters.seenExecutedAt - config.tombstoneHorizonSeconds;
    if (horizon > 0) for (const ledger of Object.values(ledgers)) base.tombstonesPruned += ledger.pruneTombstones(packVersion(horizon, 0));
  };
  const base = emptyMetrics();
  const listeners = new Set<(state: SyncState, previous: SyncState) => void>();
  const metricsListeners = new Set<() => void>();
  const appliedListeners = new Set<(entityIds: readonly EntityId[]) => void>();
  const notifyMetrics = (): void => {
    for (const listener of metricsListeners) listener();
  };
  const reconcileLimits = { ...RECONCILE_DEFAULTS, ...options.reconcile };
  const isBound = (model: string): boolean => writer.binding(model) !== undefined;

  let guard: GuardState = INITIAL_GUARD_STATE;
  let view: SyncState = publicState(guard);
  let started = false;
  let cancelled = false;
  let streams: StreamHandle[] = [];
  let replayAgain: Evidence | undefined;
  let streamMessages = 0;
  const sleepers = new Map<unknown, () => void>();
  // Compacting buffer for stream updates while a replay pages the snapshot; released behind it.
  let buffer: UpdateQueue | undefined;
  let bufferOverflowed = false;
  let missingModels: Removal[] = [];

  let resolveReady: () => void = () => undefined;
  let rejectReady: (error: SyncError) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // Nobody has to await `ready`: a failed boot is reported through the state, not as an unhandled rejection.
  ready.catch(() => undefined);

  const dispatch = (event: GuardEvent): GuardState => {
    const previousGuard = guard;
    guard = reduceGuard(guard, event);
    if (guard === previousGuard) return guard;
    const previous = view;
    view = publicState(guard);
    if (guard.status !== previousGuard.status) log.info(`${previousGuard.status} → ${guard.status} (${guard.reason})`);
    if (guard.status === "streaming" && previousGuard.status !== "streaming") onStreaming();
    if (guard.status === "error" && previousGuard.status !== "error") rejectReady(guard.lastError ?? new SyncError("SYNC_REPLAY_BUDGET_SPENT", "The replay budget is spent."));
    options.onStateChange?.(view, previous);
    for (const listener of listeners) listener(view, previous);
    notifyMetrics();
    return guard;
  };

  const reject = (error: SyncError): void => {
    if (error.code === "SYNC_UNKNOWN_MODEL" && error.model !== undefined) {
      // Not an error: apps bind the models they need and Torii sends them all. Counted per model, said once.
      base.unboundModels[error.model] = (base.unboundModels[error.model] ?? 0) + 1;
      log.once("info", `unbound:${error.model}`, `Torii sends model "${error.model}", which no component binds: its updates are ignored (bind its component to sync it).`);
      return;
    }
    base.rejected += 1;
    base.rejectedByCode[error.code] = (base.rejectedByCode[error.code] ?? 0) + 1;
    log.once("warn", `${error.code}:${error.model ?? ""}`, `${error.code}: ${error.message}`);
  };

  const apply = createApplier({ ledgers, writer, counters, onRejected: reject });
  const queue = new UpdateQueue({
    ...(options.queue === undefined ? {} : { config: options.queue }),
    timers,
    apply: (items) => {
      const before = counters.applied;
      apply(items);
      if (counters.deletes - deletesAtLastPrune >= 10_000) pruneTombstones();
      if (appliedListeners.size > 0 && counters.applied > before) {
        const ids = items.map((item) => item.entityId);
        for (const listener of appliedListeners) listener(ids);
      }
      if (counters.applied > before) dispatch({ type: "applied", at: timers.now() });
      // Always: two slices in the same millisecond leave the state unchanged, and a watcher must still see the drain.
      notifyMetrics();
    },
    onOverflow: (dropped) => onEvidence("overflow", `the queue passed its high-water mark; ${dropped} pending entities dropped`),
  });

  const ingestDeps = { isKnown: (model: string) => writer.binding(model) !== undefined, policy, reject };

  /** An entity none of whose models landed still tells the client how recent the entity is (for probes). */
  const noteRejected = (scope: LedgerScope, result: RawIngestResult): void => {
    if (result.kind !== "rejected" || result.entityId === undefined || result.executedAt === undefined) return;
    const ledger = ledgers[scope];
    const known = result.inScope === true ? (ledger.noteSeen(result.entityId, result.executedAt), true) : ledger.noteSeenIfKnown(result.entityId, result.executedAt);
    if (known) counters.seenExecutedAt = Math.max(counters.seenExecutedAt, result.executedAt);
  };

  const onStream = (scope: LedgerScope, raw: unknown): void => {
    if (cancelled) return;
    liveness.noteProgress();
    streamMessages += 1;
    const result = ingestRaw(raw, scope, "stream", buffer ?? queue, ingestDeps);
    if (result.kind === "gap") {
      base.gaps += 1;
      onEvidence("gap", "the client reconnected by itself and may have missed updates");
      return;
    }
    base.received += 1;
    noteRejected(scope, result);
  };

  const cancelStreams = (): void => {
    for (const stream of streams) stream.cancel();
    streams = [];
  };

  function onEvidence(evidence: Evidence, detail: string): void {
    if (cancelled || !started) return;
    base.evidence[evidence] = (base.evidence[evidence] ?? 0) + 1;
    if (guard.inFlight || scheduler.running) {
      // The replay running now (or waiting to retry) may already have read past what was missed: run one more after it.
      replayAgain = evidence;
      return;
    }
    if (guard.status === "error") return;
    dispatch({ type: "evidence", evidence, detail });
    void startEpisode(`${evidence}: ${detail}`, false);
  }

  function onStreaming(): void {
    liveness.noteProgress();
    resolveReady();
  }

  const sqlInFlight = new Set<(error: SyncError) => void>();
  const sqlWatermark = createWatermarkReader(options, writer, timers, log, sqlInFlight);
  const scopeProbe = createScopeProbe({
    source,
    ledger: ledgers.entities,
    isBound: (model) => writer.binding(model) !== undefined,
    watermark: sqlWatermark,
    seenExecutedAt: () => counters.seenExecutedAt,
    streamMessages: () => streamMessages,
    pageSize: config.probePageSize,
  });

  const probe = async (reason: string): Promise<ProbeVerdict> => {
    // The indexer head: a cheap proof that Torii answers at all (a failure here is evidence), and a figure for the UI.
    if (options.client?.getContracts !== undefined) {
      const head = await probeIndexerHead(options.client, options.worldAddresses?.[0]);
      if (head !== undefined) base.indexerHead = { block: head.block, timestamp: head.timestamp };
    }
    return scopeProbe.probe(reason);
  };

  const liveness = new LivenessMonitor(
    { heartbeatTimeoutMs: config.heartbeatTimeoutMs, heartbeatCheckIntervalMs: config.heartbeatCheckIntervalMs, probeTimeoutMs: Math.min(config.heartbeatCheckIntervalMs, config.heartbeatTimeoutMs / 3) },
    timers,
    options.environment ?? browserEnvironment(),
    {
      canProbe: () => guard.status === "streaming" && !guard.inFlight,
      probe,
      onEvidence: (evidence, detail) => onEvidence(evidence, detail ?? evidence),
      onLag: (lagMs) => dispatch({ type: "lag", lagMs }),
      onProbe: () => {
        base.probes += 1;
      },
    },
  );

  const host: EpisodeHost = {
    source,
    timers,
    log,
    // A page must fit the queue with room to spare, or paging would overflow it and ask for a replay of itself.
    pageLimit: Math.max(1, Math.min(config.replayPageLimit, Math.floor(queue.config.highWaterMark / 2))),
    maxAttempts: config.maxReplayAttempts,
    backoff: options.backoff ?? {},
    random: options.random ?? Math.random,
    dispatch,
    isCancelled: () => cancelled,
    async resubscribe() {
      cancelStreams();
      missingModels = [];
      dispatch({ type: "connection", connection: "connecting" });
      buffer?.close();
      bufferOverflowed = false;
      buffer = new UpdateQueue({
        config: { highWaterMark: queue.config.highWaterMark },
        timers,
        apply: () => undefined,
        onOverflow: () => {
          bufferOverflowed = true;
        },
      });
      buffer.pause();
      const opened = await Promise.allSettled(source.scopes.map((scope) => source.subscribe(scope, (raw) => onStream(scope, raw))));
      streams = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
      const failed = opened.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed !== undefined) {
        cancelStreams();
        dispatch({ type: "connection", connection: "closed" });
        throw failed.reason;
      }
    },
    // Resuming from a cursor is sound only while the stream that buffered since the episode began is still there.
    canResume: () => buffer !== undefined && streams.length === source.scopes.length && streams.every((stream) => !stream.cancelled),
    ingestSnapshot(raw, scope) {
      base.received += 1;
      const result = ingestRaw(raw, scope, "replay", queue, ingestDeps);
      if (result.kind === "gap") return undefined;
      noteRejected(scope, result);
      // An entity whose models were all rejected still exists on the server: it counts as seen, nothing is removed.
      if (result.kind === "queued" && scope === "entities") noteMissingModels(result.entityId, (raw as { models: object }).models);
      return result.entityId;
    },
    flush: () => queue.flush(),
    async reconcile(seen) {
      const missing = missingModels;
      missingModels = [];
      for (const [scope, ids] of seen) {
        const ledger = ledgers[scope];
        let removals: readonly Removal[] = planRemovals(ledger, ids, scope === "entities" ? missing : [], isBound);
        if (removals.length === 0) continue;
        if (isSuspicious(removals, ledger.liveEntityCount(), reconcileLimits)) {
          const confirmed = await confirmRemovals(removals, {
            countScope: scope === "entities" && sqlWatermark !== undefined ? async () => (await sqlWatermark()).count : undefined,
            rereadScope: () => rereadScope(source, scope, host.pageLimit, isBound),
            liveModelCount: () => ledger.liveModelCount(),
          });
          if (cancelled) return;
          if (confirmed === undefined) {
            base.reconcileSkipped += 1;
            log.warn(`reconciliation would remove ${removals.length} components the snapshot lacks; too many to trust on its word and nothing confirmed it: skipped`);
            continue;
          }
          log.info(`reconciliation removes ${confirmed.removals.length} components the snapshot lacks, confirmed by the ${confirmed.by}`);
          removals = confirmed.removals;
        }
        for (const { entityId, model, version } of removals) {
          const binding = writer.binding(model);
          if (binding === undefined) continue;
          const decision = ledger.admitModelDelete(entityId, model, version);
          if (decision.applied) writer.remove(binding, entityId, decision.survivors);
        }
        base.reconciled += removals.length;
      }
    },
    async releaseBuffer() {
      const held = buffer;
      buffer = undefined;
      if (held !== undefined) {
        for (const item of held.takeAll()) queue.absorb(item);
        held.close();
      }
      await queue.flush();
      if (bufferOverflowed) {
        bufferOverflowed = false;
        throw new SyncError("SYNC_QUEUE_OVERFLOW", "Stream updates overflowed the buffer during the replay; replaying again.");
      }
    },
    async watermark() {
      // A watermark that cannot be read (or hangs past its deadline) only skips the check: the replay goes on.
      const watermark = await sqlWatermark?.().catch(() => undefined);
      return watermark?.newestExecutedAt;
    },
    seenExecutedAt: () => counters.seenExecutedAt,
    onReplayDone(ms) {
      // A full replay just reconciled everything: tombstones far older than what was seen guard nothing any more.
      pruneTombstones();
      void scopeProbe.afterReplay();
      base.replays += 1;
      base.lastReplayMs = ms;
      base.replayDurationsMs.push(ms);
      if (base.replayDurationsMs.length > 20) base.replayDurationsMs.shift();
    },
    sleep(ms) {
      return new Promise<void>((resolve) => {
        const timer = timers.setTimeout(() => {
          sleepers.delete(timer);
          resolve();
        }, ms);
        sleepers.set(timer, resolve);
      });
    },
  };

  /** A snapshot row lacking a model the ledger holds live means Torii removed that model while we were not listening. */
  function noteMissingModels(entityId: EntityId, models: object): void {
    if ((options.models?.length ?? 0) > 0) return;
    const ledger = ledgers.entities;
    for (const model of ledger.liveModels(entityId)) {
      if (!Object.hasOwn(models, model)) missingModels.push({ entityId, model, version: ledger.versionOf(entityId, model) });
    }
  }

  const scheduler = new ReplayScheduler({
    run: ({ reason, forced }) => runEpisode(host, reason, forced),
    next() {
      const evidence = replayAgain;
      replayAgain = undefined;
      if (evidence === undefined || cancelled || guard.status !== "streaming") return undefined;
      const why = `${evidence} during the last replay`;
      dispatch({ type: "evidence", evidence, detail: why });
      return { reason: why, forced: false };
    },
    wakeBackoff() {
      if (sleepers.size === 0) return false;
      for (const [timer, wake] of sleepers) {
        timers.clearTimeout(timer);
        wake();
      }
      sleepers.clear();
      return true;
    },
  });

  function startEpisode(reason: string, forced: boolean): Promise<void> {
    if (cancelled) return Promise.resolve();
    return scheduler.request({ reason, forced });
  }

  const metrics = (): SyncMetrics => ({
    ...base,
    rejectedByCode: { ...base.rejectedByCode },
    warningsByCode: { ...base.warningsByCode },
    unboundModels: { ...base.unboundModels },
    evidence: { ...base.evidence },
    replayDurationsMs: [...base.replayDurationsMs],
    applied: counters.applied,
    // Stale updates die in two places: superseded while queued, or refused by the ledger.
    droppedStale: counters.droppedStale + queue.counters.superseded + (buffer?.counters.superseded ?? 0),
    compacted: queue.counters.compacted + (buffer?.counters.compacted ?? 0),
    queueDepth: queue.size + (buffer?.size ?? 0),
    queueHighWater: queue.counters.highWater,
    overflows: queue.counters.overflows,
    lastAppliedVersion: counters.lastAppliedVersion,
    lastExecutedAt: counters.seenExecutedAt,
    heldIncomplete: writer.heldCount(),
    connection: guard.connection,
    status: guard.status,
  });

  return {
    ready,
    start() {
      if (!started && !cancelled) {
        started = true;
        liveness.start();
        void startEpisode("boot", false);
      }
      return ready;
    },
    getState: () => view,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeMetrics(listener) {
      metricsListeners.add(listener);
      return () => metricsListeners.delete(listener);
    },
    subscribeApplied(listener) {
      appliedListeners.add(listener);
      return () => appliedListeners.delete(listener);
    },
    entityVersion(entityId) {
      const version = ledgers.entities.newestOfEntity(entityId);
      return version === NO_VERSION ? undefined : versionMajor(version);
    },
    forceReplay() {
      if (cancelled) return Promise.resolve();
      if (!started) {
        started = true;
        liveness.start();
      }
      return startEpisode("forced by the app", true);
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      liveness.stop();
      cancelStreams();
      source.cancelPending();
      for (const abort of [...sqlInFlight]) abort(new SyncError("SYNC_CANCELLED", "The request was cancelled with the pipeline."));
      buffer?.close();
      buffer = undefined;
      queue.close();
      scheduler.close();
      for (const [timer, wake] of sleepers) {
        timers.clearTimeout(timer);
        wake();
      }
      sleepers.clear();
      dispatch({ type: "cancelled" });
      listeners.clear();
      metricsListeners.clear();
      appliedListeners.clear();
      rejectReady(new SyncError("SYNC_CANCELLED", "The pipeline was cancelled before its first consistent state."));
    },
    metrics,
    inspect: () => ({
      state: view,
      metrics: metrics(),
      ledger: { entities: ledgers.entities.stats(), events: ledgers.events.stats() },
      queueDepth: queue.size,
      openStreams: source.openStreams(),
      replaying: guard.inFlight,
      config,
    }),
  };
}

/** The scoped SQL watermark reader, when `toriiUrl` is given and the clause has an SQL form; warns once otherwise. */
function createWatermarkReader(
  options: SyncPipelineOptions,
  writer: RecsWriter,
  timers: Timers,
  log: TaggedLogger,
  inFlight: Set<(error: SyncError) => void>,
): (() => Promise<ScopeWatermark>) | undefined {
  const synced = [...writer.models()].filter((model) => (options.models?.length ?? 0) === 0 || options.models?.includes(model));
  if (options.toriiUrl === undefined) {
    log.once("warn", "no-torii-url", "no `toriiUrl`: stall detection is degraded to pages that rotate through the synced scope; pass the URL your ToriiClient uses.");
    return undefined;
  }
  const scoped = scopedWatermarkQuery(synced, options.clause);
  if (scoped === undefined) {
    log.once("warn", "clause-not-sql", "the clause has no SQL form (a Member clause?): stall detection uses pages that rotate through the synced scope.");
    return undefined;
  }
  const url = options.toriiUrl;
  return () =>
    probeSqlWatermark({
      url,
      query: scoped.sql,
      timers,
      inFlight,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.sqlTimeoutMs === undefined ? {} : { timeoutMs: options.sqlTimeoutMs }),
    });
}

function createSourceFromClient(options: SyncPipelineOptions, timers: Timers): SyncSource {
  if (options.client === undefined) throw new SyncError("SYNC_TORII_ERROR", "createSyncPipeline needs a `client` (a ToriiClient) or a `source`.");
  if (typeof (options.client as { then?: unknown }).then === "function") {
    // `new ToriiClient(…)` returns a Promise although its types say otherwise: a common slip that fails much later.
    throw new SyncError("SYNC_CLIENT_NOT_READY", "The Torii client passed is a Promise: `new ToriiClient(config)` resolves to the client, so `await` it first.");
  }
  const { clause, worldAddresses, scopes, models, subscribeTimeoutMs, pageTimeoutMs } = options;
  const sourceOptions: ToriiSourceOptions = {
    timers,
    ...(clause === undefined ? {} : { clause }),
    ...(worldAddresses === undefined ? {} : { worldAddresses }),
    ...(scopes === undefined ? {} : { scopes }),
    ...(models === undefined ? {} : { models }),
    ...(subscribeTimeoutMs === undefined ? {} : { subscribeTimeoutMs }),
    ...(pageTimeoutMs === undefined ? {} : { pageTimeoutMs }),
  };
  return createToriiSource(options.client, sourceOptions);
}

// Re-exported for callers that compare versions with `metrics().lastAppliedVersion`.
export { packVersion };
