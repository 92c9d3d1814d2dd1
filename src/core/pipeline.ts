import { admitSlice, createAdmission, createAdmittedHook } from "./admit";
import { systemTimers } from "./clock";
import { createDropRecorder } from "./drops";
import { createEventStream, type SyncEvent } from "./events";
import type { EntityId } from "./entity-id";
import { GuardController } from "./guard/controller";
import { browserEnvironment } from "./guard/environment";
import { createWatch } from "./guard/watch";
import { createIntake } from "./intake";
import { entitySlotIn, ledgersFor } from "./ledger";
import { createCounters, recordReplay, snapshotMetrics, type SyncMetrics } from "./metrics";
import type { SyncPipeline } from "./pipeline-api";
import { createPipelineParts, type PipelineOptions } from "./pipeline-parts";
import { DrainScheduler } from "./drain";
import { PendingStore } from "./pending-store";
import { runReplay } from "./replay/episode";
import { reconcile } from "./replay/reconcile";
import { backoffSleeper, ReplayScheduler } from "./replay/scheduler";
import { SnapshotTracker } from "./replay/snapshot";
import { ReplayStreams } from "./replay/streams";
import type { SyncState } from "./state";
import { createPublisher } from "./publisher";
import { createTombstonePruner } from "./tombstones";
import { callSafely, createListeners } from "./util/listeners";
import { createSleeper } from "./util/retry";
import { NO_VERSION, versionMajor, type Version } from "./version";
import { linkCache } from "./warm-start";
import { INCREMENTAL_DEFAULTS, replayIncrementally } from "./replay/incremental";

const seconds = (version: Version): number | undefined => (version === NO_VERSION ? undefined : versionMajor(version));

export type { PipelineOptions } from "./pipeline-parts";
export type { PipelineInspection, SyncPipeline } from "./pipeline-api";

/**
 * The engine, wired: source → intake → queue → admission → RECS, with the guard watching and one replay routine for
 * boot and recovery. Every part lives in its own room; this only connects them (see docs/architecture.md).
 */
export function createPipeline(options: PipelineOptions): SyncPipeline {
  const counters = createCounters();
  const timers = options.timers ?? systemTimers;
  const events = createEventStream();
  const now = (): number => timers.now();
  const parts = createPipelineParts(options, counters, events, now);
  const { writer, policy, log, unconvertible } = parts;
  const { source } = options;
  const drops = createDropRecorder();
  const layout = writer.layout();
  const ledgers = ledgersFor(layout, (model) => policy.hasOwnVersion(model));
  const stateListeners = createListeners<[SyncState, SyncState]>();
  const appliedListeners = createListeners<[readonly EntityId[]]>();
  const sleeper = createSleeper(timers);
  let [started, cancelled] = [false, false];
  const isCancelled = (): boolean => cancelled;
  const tombstones = createTombstonePruner({ ledgers: Object.values(ledgers), counters, horizonSeconds: parts.guard.tombstoneHorizonSeconds, timers, isCancelled, log });
  const guard: GuardController = new GuardController(
    {
      log,
      emit(event) {
        if (event.type === "budget_spent") counters.budgetSpent += 1;
        events.emit(event);
      },
      now,
      onStreaming: () => watch.monitor.noteProgress(),
      onChange(state, previous) {
        callSafely(options.onStateChange, state, previous);
        stateListeners.emit(state, previous);
        publisher.publish();
      },
      replay: (reason, forced = false) => void scheduler.request({ reason, forced }),
      replaying: () => scheduler.running,
      isLive: () => started && !cancelled,
    },
    counters.evidence,
  );
  const admitted = createAdmittedHook();
  const admit = createAdmission({ ledgers, writer, counters, drops, onUnconvertible: parts.report, admitted: admitted.hook });
  const entitySlot = entitySlotIn(ledgers);
  const store = new PendingStore(layout, {
    ...{ highWaterMark: parts.queue.highWaterMark, drops, entitySlot, unconvertible },
    onOverflow(dropped) {
      events.emit({ type: "overflow", at: now(), dropped });
      guard.evidence("overflow", `the queue passed its high-water mark; ${dropped} pending entities dropped`);
    },
  });
  // One drain slice: admitted, announced, published once.
  const drain = new DrainScheduler(parts.queue, timers, (overdue) => {
    publisher.batch(() => {
      const before = counters.applied;
      const landed = admitSlice(store, admit, overdue, appliedListeners.size > 0);
      tombstones.afterDrain();
      if (counters.applied > before) {
        if (landed !== undefined) appliedListeners.emit(landed);
        guard.dispatch({ type: "applied", at: timers.now() });
      }
      publisher.publish();
    });
    return store.size > 0;
  });
  const streams = new ReplayStreams({
    ...{ source, timers, drops, layout, entitySlot, unconvertible, highWaterMark: parts.queue.highWaterMark },
    onConnection: (connection) => guard.dispatch({ type: "connection", connection }),
    onOverflow: (dropped) => events.emit({ type: "overflow", at: now(), dropped }),
  });
  const binding = (model: string) => writer.binding(model);
  const intakeDeps = { target: () => streams.buffer ?? store, ledgers, policy, binding, drops, counters, onRejected: parts.report, onUnbound: parts.unbound, isCancelled };
  const arrival = { onArrival: () => (streams.buffer === undefined ? drain.noteArrival() : undefined) };
  const streamSink = createIntake({ ...intakeDeps, ...arrival }, {
    onMessage: () => watch.monitor.noteMessage(),
    onGap() {
      counters.gaps += 1;
      events.emit({ type: "gap", at: now() });
      guard.evidence("gap", "the client reconnected by itself and may have missed updates");
    },
  });
  // Pages go straight to the queue; the stream goes to the replay's buffer while one pages.
  const snapshot = new SnapshotTracker(createIntake({ ...intakeDeps, target: () => store, onArrival: () => undefined }), ledgers.entities, source.restrictsModels !== true);
  // The persisted cache's world goes to the main store (never the stream's buffer), and is not counted as received.
  const cache = linkCache(options.persist, counters, { sink: createIntake({ ...intakeDeps, target: () => store, onArrival: () => drain.noteArrival(), counters: { received: 0, streamMessages: 0, seenExecutedAt: 0 } }), flush: () => drain.flush(), pacing: { maxEntities: parts.replay.pageLimit, room: () => (store.size >= parts.replay.pageLimit ? drain.flush() : undefined) }, dispatch: guard.dispatch, publish: () => publisher.publish(), now, log, isCancelled, subscribeAdmitted: (listener) => admitted.subscribe(listener), recordUnchanged: (on) => void (admitted.hook.recordUnchanged = on), emit: (event) => events.emit(event) });
  const watch = createWatch({
    ...{ source, ledger: ledgers.entities, isBound: parts.isBound, counters, guard, config: parts.guard, liveness: parts.liveness, timers, events },
    ...{ environment: options.environment ?? browserEnvironment(), onChange: () => publisher.publish() },
  });
  const replay = {
    ...parts.replay,
    ...{ source, streams, streamSink, store, flush: () => drain.flush(), snapshot, timers, log, sleeper: backoffSleeper(() => scheduler, sleeper), isCancelled, dispatch: guard.dispatch, emit: (event: SyncEvent) => events.emit(event) },
    reconcile: () => reconcile({ ledgers, writer, source, pageLimit: parts.replay.pageLimit, limits: parts.reconcile, log, counters, timers, isCancelled, onRemoved: (scope, entityId, model, version) => admitted.hook.listener?.({ kind: "delete_model", scope, entityId, model, at: versionMajor(version) }), recordTombstones: () => admitted.hook.recordUnchanged }, new Map(source.scopes.map((scope) => [scope, snapshot.seenIn(scope)])), snapshot.missing),
    warmStart: () => cache?.warmStart(),
    incremental: () => replayIncrementally({ source, since: () => cache?.takeWatermark(), sink: createIntake({ ...intakeDeps, target: () => store, onArrival: () => drain.noteArrival() }), flush: () => drain.flush(), liveModelCount: () => ledgers.entities.liveModelCount(), limits: INCREMENTAL_DEFAULTS, log, counters: counters.cache, isCancelled }),
    seenExecutedAt: () => counters.seenExecutedAt,
    onDone({ ms, startedAt }: { readonly ms: number; readonly startedAt: number | undefined }) {
      // A full replay just reconciled everything: tombstones far older than what was seen guard nothing any more.
      tombstones.prune();
      void watch.probe.afterReplay(startedAt);
      recordReplay(counters, ms);
      cache?.replayCompleted(startedAt ?? (source.watermark === undefined ? counters.seenExecutedAt : undefined), now() - ms);
    },
  };
  const scheduler: ReplayScheduler = new ReplayScheduler({
    run: ({ reason, forced }) => runReplay(replay, reason, forced),
    next: () => guard.takeDeferred(),
    dropDeferred: () => guard.dropDeferred(),
    wakeBackoff: () => sleeper.wakeAll(),
  });
  const metrics = (): SyncMetrics => {
    const { status, connection, lagMs } = guard.state;
    const queued = { compacted: store.compacted + streams.compacted, queueDepth: store.size + (streams.buffer?.size ?? 0) };
    return snapshotMetrics(counters, { ...queued, drops: drops.counts, queueHighWater: store.highWater, overflows: store.overflows + streams.overflows, heldIncomplete: writer.heldCount(), status, connection, lagMs });
  };
  const publisher = createPublisher(() => ({ sync: guard.view, metrics: metrics() }));
  const begin = (): boolean => {
    if (started || cancelled) return false;
    started = true;
    watch.monitor.start();
    return true;
  };

  return {
    ready: guard.ready,
    store: publisher.store,
    start() {
      if (begin()) void scheduler.request({ reason: "boot", forced: false });
      return guard.ready;
    },
    getState: () => guard.view,
    subscribe: (listener) => stateListeners.add(listener),
    subscribeApplied: (listener) => appliedListeners.add(listener),
    subscribeAdmitted: (listener) => admitted.subscribe(listener),
    subscribeEvents: (listener) => events.add(listener),
    reportHardReload: () => events.emit({ type: "hard_reload_requested", at: now() }),
    inspectEntity(entityId) {
      const entry = ledgers.entities.describe(entityId);
      return entry === undefined ? undefined : { ...entry, values: writer.valuesOf(entityId) };
    },
    entityVersion: (entityId) => seconds(ledgers.entities.newestOfEntity(entityId)),
    forceReplay() {
      if (cancelled) return Promise.resolve();
      begin();
      return scheduler.request({ reason: "forced by the app", forced: true });
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      watch.monitor.stop();
      streams.cancel();
      source.cancelPending();
      drain.close();
      store.close();
      scheduler.close();
      sleeper.wakeAll();
      cache?.close();
      guard.cancel();
      for (const listeners of [stateListeners, appliedListeners, admitted, events]) listeners.clear();
    },
    metrics,
    inspect: () => ({ config: parts.guard, state: guard.view, metrics: metrics(), ledger: { entities: ledgers.entities.stats(), events: ledgers.events.stats() }, openStreams: source.openStreams(), replaying: guard.state.inFlight }),
  };
}
