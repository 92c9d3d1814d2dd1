import type { World } from "@dojoengine/recs";
import type { Timers } from "./clock";
import type { SyncError } from "./errors";
import { BACKOFF_DEFAULTS, type BackoffConfig } from "./guard/backoff";
import type { PageEnvironment } from "./guard/environment";
import type { LivenessConfig } from "./guard/liveness";
import type { EventStream } from "./events";
import type { PipelineCounters } from "./metrics";
import type { CoreLogger, SyncSource } from "./ports";
import type { UpdateQueueConfig } from "./queue";
import { QUEUE_DEFAULTS } from "./queue";
import { RECONCILE_DEFAULTS, type ReconcileLimits } from "./replay/reconcile";
import type { SyncState } from "./state";
import { GUARD_RANGES, SYNC_GUARD_DEFAULTS, type SyncGuardConfig } from "./sync-guard-config";
import { checkRanges, MAX_DELAY_MS } from "./option-ranges";
import type { ModelTag } from "./types";
import { createVersionPolicy, type VersionPolicy } from "./version";
import type { ComponentsInput } from "./writer/bindings";
import type { EnumVariantOrder } from "./writer/convert";
import { RecsWriter } from "./writer/recs-writer";
import { unconvertibleBy, type Unconvertible } from "./pending-ties";
import type { PersistedCacheFactory } from "./warm-start";

/** The engine's options: a source (the port Torii is read through) and what to sync it into. */
export interface PipelineOptions {
  /** Where pages and streams come from (see `createToriiSource`). */
  readonly source: SyncSource;
  /** The game's RECS world (the components belong to it). */
  readonly world?: World;
  /** The game's `contractComponents` record or an array of components; matched to models by metadata. */
  readonly components: ComponentsInput;
  /** Per model, the dotted path of the component's own version member (`last_updated_at`, a tick…). @default {} */
  readonly versionPaths?: Readonly<Record<string, string>>;
  /**
   * Variant names in declaration order, per enum type name as Torii sends it (`{ Direction: ["None", "Left", …] }`):
   * an enum stored in a `Number` field (the older codegen's convention) is written as its index. Neither Torii client
   * sends the index; without the order the variant's name is written. @default {}
   */
  readonly enumVariants?: EnumVariantOrder;
  /**
   * Shard the bound components' RECS Maps in place (see util/sharded-map.ts), so that a growing world never blocks on one
   * Map's rehash (~160 ms at 65,536 entities); `false` keeps RECS's plain Maps and their insertion order. @default true
   */
  readonly shardValues?: boolean;
  /** @default QUEUE_DEFAULTS */
  readonly queue?: Partial<UpdateQueueConfig>;
  /** Liveness, paging and the replay budget. @default SYNC_GUARD_DEFAULTS */
  readonly guard?: Partial<SyncGuardConfig>;
  /** Delay between replay attempts. @default BACKOFF_DEFAULTS */
  readonly backoff?: Partial<BackoffConfig>;
  /** Safety limits of reconciliation. @default RECONCILE_DEFAULTS */
  readonly reconcile?: Partial<ReconcileLimits>;
  /** Injected timers and clock (fake timers in tests). @default the globals */
  readonly timers?: Timers;
  /** Injected randomness for backoff jitter. @default Math.random */
  readonly random?: () => number;
  /** Visibility and online events. @default the browser's, or none outside a browser */
  readonly environment?: PageEnvironment;
  /** Where the engine logs. @default silent */
  readonly logger?: CoreLogger;
  /** Called on every state change. */
  readonly onStateChange?: (state: SyncState, previous: SyncState) => void;
  /**
   * A persisted cache (src/sync makes it from the `persist` option): its world is hydrated at boot through the same
   * admission, and what lands is written back. @default none
   */
  readonly persist?: PersistedCacheFactory;
}

/** The options made whole, and what follows from them alone. */
export interface PipelineParts {
  readonly guard: SyncGuardConfig;
  readonly queue: UpdateQueueConfig;
  readonly liveness: LivenessConfig;
  readonly replay: { readonly pageLimit: number; readonly maxAttempts: number; readonly backoff: BackoffConfig; readonly random: () => number };
  readonly reconcile: ReconcileLimits;
  readonly log: CoreLogger;
  readonly policy: VersionPolicy;
  readonly writer: RecsWriter;
  isBound(model: ModelTag): boolean;
  /** Malformed input: counted per code, logged once per code and model. */
  report(error: SyncError): void;
  /** The trial conversion that tells apart updates of one block time meeting in a pending row (pending-ties.ts). */
  readonly unconvertible: Unconvertible;
  /** A model no component binds: counted per model, said once, as information. */
  unbound(model: ModelTag): void;
}

export const SILENT_LOGGER: CoreLogger = { log: () => undefined, once: () => undefined };

/**
 * Throws SYNC_BAD_OPTION for a numeric setting out of its range (`guard`, `queue`, `backoff`, `reconcile`, each over its
 * defaults): `0` ms for a probe's deadline, NaN, a string, a fraction of a count, `undefined` spread over a default, a
 * timer's delay past 2³¹ − 1 ms. `createSyncPipeline` (the one way in) calls it first, before a cache, a tab channel, a
 * source or these parts are made, so the writer never binds (and shards) a game's components for a pipeline refused.
 */
export function checkPipelineOptions(options: Pick<PipelineOptions, "guard" | "queue" | "backoff" | "reconcile">): void {
  checkRanges("guard", { ...SYNC_GUARD_DEFAULTS, ...options.guard }, GUARD_RANGES);
  checkRanges("queue", { ...QUEUE_DEFAULTS, ...options.queue }, {
    highWaterMark: { min: 1, integer: true },
    // The waits are what lets a busy stream drain at all: finite ("never" would hold it until the queue overflows).
    maxWaitMs: { min: 0, max: MAX_DELAY_MS },
    burstRate: { min: 0 },
    burstTurn: { min: 1 },
    trickleWaitMs: { min: 0, max: MAX_DELAY_MS },
    // 0 still drains: the slice reads the clock every few entities, so each slice takes a few.
    sliceMs: { min: 0 },
  });
  checkRanges("backoff", { ...BACKOFF_DEFAULTS, ...options.backoff }, { baseMs: { min: 0, max: MAX_DELAY_MS }, factor: { min: 1, max: Number.MAX_VALUE }, maxMs: { min: 0, max: MAX_DELAY_MS }, jitter: { min: 0, max: 1 } });
  checkRanges("reconcile", { ...RECONCILE_DEFAULTS, ...options.reconcile }, { maxRemovalRatio: { min: 0, max: 1 }, minRemovalsChecked: { min: 0, integer: true } });
}

/** Defaults applied once, in one place, and the parts that need nothing but the options and the counters. */
export function createPipelineParts(options: PipelineOptions, counters: PipelineCounters, events: EventStream, now: () => number): PipelineParts {
  const guard: SyncGuardConfig = { ...SYNC_GUARD_DEFAULTS, ...options.guard };
  const queue: UpdateQueueConfig = { ...QUEUE_DEFAULTS, ...options.queue };
  const log = options.logger ?? SILENT_LOGGER;
  const writer = new RecsWriter(options.components, {
    ...(options.enumVariants === undefined ? {} : { enumVariants: options.enumVariants }),
    ...(options.shardValues === undefined ? {} : { shardValues: options.shardValues }),
    notes: {
      precisionLoss(where, raw, rounded = false) {
        counters.warningsByCode.SYNC_PRECISION_LOSS = (counters.warningsByCode.SYNC_PRECISION_LOSS ?? 0) + 1;
        // Two causes, two remedies: a wide integer in a Number field (declare it BigInt), or a u64 the client already
        // rounded into a JS number (nothing on this side can restore it).
        const message = rounded
          ? `SYNC_PRECISION_LOSS: ${where} = ${raw} (a JS number from the client, already rounded); the exact value never reached the SDK, so the double is stored.`
          : `SYNC_PRECISION_LOSS: ${where} = ${raw} is wider than a Number field holds exactly; stored as the nearest double (declare the field BigInt to keep it exact).`;
        log.once("warn", `SYNC_PRECISION_LOSS:${where.replace(/\[\d+\]/g, "[]")}`, message, { code: "SYNC_PRECISION_LOSS" });
      },
    },
  });
  const report = (error: SyncError): void => {
    counters.rejected += 1;
    counters.rejectedByCode[error.code] = (counters.rejectedByCode[error.code] ?? 0) + 1;
    log.once("warn", `${error.code}:${error.model ?? ""}`, `${error.code}: ${error.message}`, fieldsOf(error));
    events.emit({ type: "rejected", at: now(), message: error.message, ...fieldsOf(error) });
  };
  return {
    guard,
    queue,
    liveness: { heartbeatTimeoutMs: guard.heartbeatTimeoutMs, heartbeatCheckIntervalMs: guard.heartbeatCheckIntervalMs, probeTimeoutMs: guard.probeTimeoutMs ?? Math.min(guard.heartbeatCheckIntervalMs, guard.heartbeatTimeoutMs / 3) },
    // A page must fit the queue with room to spare, or paging would overflow it and ask for a replay of itself.
    replay: { pageLimit: Math.max(1, Math.min(guard.replayPageLimit, Math.floor(queue.highWaterMark / 2))), maxAttempts: guard.maxReplayAttempts, backoff: { ...BACKOFF_DEFAULTS, ...options.backoff }, random: options.random ?? Math.random },
    reconcile: { ...RECONCILE_DEFAULTS, ...options.reconcile },
    log,
    policy: createVersionPolicy(options.versionPaths === undefined ? {} : { versionPaths: options.versionPaths }),
    writer,
    isBound: (model) => writer.binding(model) !== undefined,
    report,
    unconvertible: unconvertibleBy(writer, report),
    unbound(model) {
      counters.unboundModels[model] = (counters.unboundModels[model] ?? 0) + 1;
      log.once("info", `unbound:${model}`, `Torii sends model "${model}", which no component binds: its updates are ignored (bind its component to sync it).`, { model });
    },
  };
}

function fieldsOf(error: SyncError): { code: string; entityId?: string; model?: string } {
  return { code: error.code, ...(error.entityId === undefined ? {} : { entityId: error.entityId }), ...(error.model === undefined ? {} : { model: error.model }) };
}
