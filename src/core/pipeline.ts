import type { World } from "@dojoengine/recs";
import { createLogger, type SyncLogger, type TaggedLogger } from "../telemetry/logger";
import type { ToriiClientLike } from "../torii/client-types";
import { createToriiSource, type ToriiSourceOptions } from "../torii/source";
import { createApplier, type ApplyCounters } from "./apply";
import { systemTimers, type Timers } from "./clock";
import { SyncError, toSyncError } from "./errors";
import { toVersionedChanges } from "./ingest";
import { EntityLedger, type LedgerStats } from "./ledger";
import { emptyMetrics, type SyncMetrics } from "./metrics";
import { UpdateQueue, type UpdateQueueConfig } from "./queue";
import { pageSnapshot } from "./replay";
import type { NormalizedEntity, StreamHandle, SyncSource } from "./source-types";
import { INITIAL_SYNC_STATE, type SyncState } from "./state";
import type { LedgerScope, SyncUpdate } from "./types";
import { createVersionPolicy } from "./version";
import type { ComponentsInput } from "./writer/bindings";
import { RecsWriter } from "./writer/recs-writer";

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
  readonly queue?: Partial<UpdateQueueConfig>;
  /** Entities per snapshot page. @default 40_000 */
  readonly replayPageLimit?: number;
  /** Injected timers and clock (fake timers in tests). @default the globals */
  readonly timers?: Timers;
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
}

export interface SyncPipeline {
  /** Start syncing (idempotent); resolves with `ready`. */
  start(): Promise<void>;
  /** Resolves once the first consistent state is in RECS; rejects if the pipeline fails or is cancelled first. */
  readonly ready: Promise<void>;
  getState(): SyncState;
  subscribe(listener: (state: SyncState, previous: SyncState) => void): () => void;
  /** Re-run the replay routine now; joins a replay already running. */
  forceReplay(): Promise<void>;
  /** Stop everything. Idempotent; leaves no timer, listener or stream behind. */
  cancel(): void;
  metrics(): SyncMetrics;
  inspect(): PipelineInspection;
}

export const DEFAULT_REPLAY_PAGE_LIMIT = 40_000;

export function createSyncPipeline(options: SyncPipelineOptions): SyncPipeline {
  const timers = options.timers ?? systemTimers;
  const log: TaggedLogger = createLogger(options.logging);
  const source = options.source ?? createSourceFromClient(options, timers);
  const writer = new RecsWriter(options.components);
  const ledgers: Record<LedgerScope, EntityLedger> = { entities: new EntityLedger(), events: new EntityLedger() };
  const policy = createVersionPolicy(options.versionPaths === undefined ? {} : { versionPaths: options.versionPaths });
  const counters: ApplyCounters = { applied: 0, droppedStale: 0, lastAppliedVersion: -1, lastExecutedAt: 0 };
  const base = emptyMetrics();
  const listeners = new Set<(state: SyncState, previous: SyncState) => void>();

  let state: SyncState = INITIAL_SYNC_STATE;
  let started = false;
  let cancelled = false;
  let streams: StreamHandle[] = [];
  let replay: Promise<void> | undefined;
  let replayAgain = false;
  let resolveReady: () => void = () => undefined;
  let rejectReady: (error: SyncError) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // Nobody has to await `ready`: a failed boot is reported through the state, not as an unhandled rejection.
  ready.catch(() => undefined);

  const setState = (patch: Partial<SyncState>): void => {
    const previous = state;
    const next = { ...state, ...patch };
    if (Object.keys(patch).every((key) => Object.is(previous[key as keyof SyncState], next[key as keyof SyncState]))) return;
    state = next;
    options.onStateChange?.(state, previous);
    for (const listener of listeners) listener(state, previous);
  };

  const reject = (error: SyncError): void => {
    base.rejected += 1;
    base.rejectedByCode[error.code] = (base.rejectedByCode[error.code] ?? 0) + 1;
    log.once("warn", `${error.code}:${error.model ?? ""}`, `${error.code}: ${error.message}`);
  };
  const rejectAll = (entity: NormalizedEntity): void => {
    if (entity.kind !== "gap") for (const error of entity.errors) reject(error);
  };

  const apply = createApplier({ ledgers, writer, counters, onRejected: reject });
  const queue = new UpdateQueue({
    ...(options.queue === undefined ? {} : { config: options.queue }),
    timers,
    apply: (items) => {
      const before = counters.applied;
      apply(items);
      if (counters.applied > before) setState({ lastAppliedAt: Date.now() });
    },
    onOverflow: (dropped) => {
      log.warn(`queue passed its high-water mark; dropped ${dropped} pending entities and resyncing`);
      requestReplay("queue overflow");
    },
  });
  // The boot buffer: compacts like the queue, never drains by itself, released behind the snapshot.
  let buffer: UpdateQueue | undefined;

  const enqueue = (target: UpdateQueue, update: SyncUpdate): void => {
    base.received += 1;
    const changes = toVersionedChanges(update, policy, (model) => writer.binding(model) !== undefined, reject);
    if (changes.length > 0) target.enqueue(update.entityId, update.scope, update.origin, update.meta.executedAt, changes);
  };

  const onStream = (entity: NormalizedEntity): void => {
    if (cancelled) return;
    if (entity.kind === "gap") {
      base.gaps += 1;
      log.info("the client reconnected by itself and may have missed updates: replaying");
      requestReplay("gap signal");
      return;
    }
    rejectAll(entity);
    if (entity.kind === "update") enqueue(buffer ?? queue, entity.update);
  };

  const cancelStreams = (): void => {
    for (const stream of streams) stream.cancel();
    streams = [];
  };

  const runReplay = async (reason: string): Promise<void> => {
    const startedAt = timers.now();
    base.replays += 1;
    setState({ status: "replaying", connection: "connecting", replayProgress: { pages: 0, entities: 0 }, reason });
    cancelStreams();
    let overflowed = false;
    buffer = new UpdateQueue({
      config: { highWaterMark: queue.config.highWaterMark },
      timers,
      apply: () => undefined,
      onOverflow: () => {
        overflowed = true;
      },
    });
    buffer.pause();
    try {
      // Subscribe first: updates that happen while the snapshot is paged are buffered, not lost.
      streams = await Promise.all(source.scopes.map((scope) => source.subscribe(scope, onStream)));
      if (cancelled) throw new SyncError("SYNC_CANCELLED", "The pipeline was cancelled during a replay.");
      setState({ connection: "open" });
      await pageSnapshot(
        {
          source,
          pageLimit: options.replayPageLimit ?? DEFAULT_REPLAY_PAGE_LIMIT,
          ingestSnapshot: (update) => enqueue(queue, update),
          rejectAll,
          flush: () => queue.flush(),
          isCancelled: () => cancelled,
          onProgress: (pages, entities) => setState({ replayProgress: { pages, entities } }),
        },
        base.replays === 1 ? "snapshot" : "replay",
      );
      // Release the buffer behind the snapshot: ties go to the stream, which arrived later.
      const held = buffer;
      buffer = undefined;
      for (const item of held.takeAll()) queue.absorb(item);
      held.close();
      await queue.flush();
      if (overflowed) throw new SyncError("SYNC_QUEUE_OVERFLOW", "Updates overflowed the buffer during the replay; another replay is needed.");
      base.lastReplayMs = timers.now() - startedAt;
      setState({ status: "streaming", replayProgress: undefined, lastError: undefined, reason: "replay complete" });
      resolveReady();
    } catch (thrown) {
      buffer?.close();
      buffer = undefined;
      const error = toSyncError(thrown, "SYNC_TORII_ERROR", "Replay failed");
      if (cancelled) return;
      cancelStreams();
      log.error(`replay failed: ${error.message}`);
      setState({ status: "error", connection: "closed", lastError: error, replayProgress: undefined, reason: "replay failed", canHardReload: true });
      rejectReady(error);
    }
  };

  function requestReplay(reason: string): Promise<void> {
    if (cancelled) return Promise.resolve();
    if (replay !== undefined) {
      replayAgain = true;
      return replay;
    }
    replay = (async () => {
      try {
        let why = reason;
        do {
          replayAgain = false;
          await runReplay(why);
          why = "another replay was requested during the last one";
        } while (replayAgain && !cancelled && state.status !== "error");
      } finally {
        replay = undefined;
      }
    })();
    return replay;
  }

  const metrics = (): SyncMetrics => ({
    ...base,
    rejectedByCode: { ...base.rejectedByCode },
    applied: counters.applied,
    // Stale updates die in two places: superseded while queued, or refused by the ledger.
    droppedStale: counters.droppedStale + queue.counters.superseded,
    compacted: queue.counters.compacted,
    queueDepth: queue.size + (buffer?.size ?? 0),
    queueHighWater: queue.counters.highWater,
    overflows: queue.counters.overflows,
    lastAppliedVersion: counters.lastAppliedVersion,
    heldIncomplete: writer.heldCount(),
  });

  return {
    ready,
    start() {
      if (!started && !cancelled) {
        started = true;
        void requestReplay("boot");
      }
      return ready;
    },
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    forceReplay: () => {
      started = true;
      return requestReplay("forced");
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      cancelStreams();
      source.cancelPending();
      buffer?.close();
      queue.close();
      setState({ status: "idle", connection: "closed", replayProgress: undefined, reason: "cancelled" });
      listeners.clear();
      rejectReady(new SyncError("SYNC_CANCELLED", "The pipeline was cancelled before its first consistent state."));
    },
    metrics,
    inspect: () => ({
      state,
      metrics: metrics(),
      ledger: { entities: ledgers.entities.stats(), events: ledgers.events.stats() },
      queueDepth: queue.size,
      openStreams: source.openStreams(),
      replaying: replay !== undefined,
    }),
  };
}

function createSourceFromClient(options: SyncPipelineOptions, timers: Timers): SyncSource {
  if (options.client === undefined) throw new SyncError("SYNC_TORII_ERROR", "createSyncPipeline needs a `client` (a ToriiClient) or a `source`.");
  const { client, world: _world, components: _components, ...sourceOptions } = options;
  return createToriiSource(client, { ...sourceOptions, timers } as ToriiSourceOptions);
}
