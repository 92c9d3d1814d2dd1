import type { DropRecorder } from "./drops";
import type { EntityId } from "./entity-id";
import type { SyncError } from "./errors";
import type { EntityLedger } from "./ledger";
import type { IntakeSink } from "./ports";
import type { PendingEntity, UpdateQueue } from "./queue";
import type { LedgerScope, ModelTag, ToriiValue } from "./types";
import { NO_VERSION, packVersion, type VersionPolicy } from "./version";

/** What the intake counts for metrics and probes. */
export interface IntakeCounters {
  /** Entity messages received (stream and pages, malformed ones included, gap signals not). */
  received: number;
  /** Stream messages, gap signals included: a probe trusts a quiet rotation only if none arrived during it. */
  streamMessages: number;
  /** Newest `executed_at` (seconds) of any in-scope message received: how far the client has heard. */
  seenExecutedAt: number;
}

export interface IntakeDeps {
  /** Where changes go now: the replay's buffer while it pages, the main queue otherwise. */
  target(): UpdateQueue;
  readonly ledgers: Readonly<Record<LedgerScope, EntityLedger>>;
  readonly policy: VersionPolicy;
  isBound(model: ModelTag): boolean;
  readonly drops: DropRecorder;
  readonly counters: IntakeCounters;
  /** A part of a message could not be read: counted per code, logged once. */
  onRejected(error: SyncError): void;
  /** A model no component binds: counted per model, said once. */
  onUnbound(model: ModelTag): void;
  isCancelled(): boolean;
}

export interface StreamHooks {
  /** Any stream message (the silence clock restarts). */
  onMessage(): void;
  onGap(): void;
}

/**
 * The intake port's implementation: decoded changes are versioned here (by the model's own version member when it has
 * one, else by block time) and merged into the queue, or into the replay's buffer while one pages. Nothing is applied
 * here; `admit.ts` decides. One sink per kind: the stream's also restarts the silence clock and turns the reconnect
 * signal into evidence.
 */
export function createIntake(deps: IntakeDeps, stream?: StreamHooks): IntakeSink {
  // The entity message being read: set by its first change, cleared by entityEnd (no object per message).
  let item: PendingEntity | undefined;
  let inScope = false;

  const pendingFor = (scope: LedgerScope, entityId: EntityId, executedAt: number): PendingEntity | undefined => {
    if (item === undefined) item = deps.target().itemFor(entityId, scope, executedAt);
    if (item === undefined) deps.drops.drop("cancelled");
    return item;
  };

  const accept = (model: ModelTag): boolean => {
    if (deps.isCancelled()) {
      deps.drops.drop("cancelled");
      return false;
    }
    if (!deps.isBound(model)) {
      deps.drops.drop("unknown_model");
      deps.onUnbound(model);
      return false;
    }
    inScope = true;
    return true;
  };

  return {
    write(scope, entityId, executedAt, model, members) {
      if (!accept(model)) return;
      const target = pendingFor(scope, entityId, executedAt);
      if (target === undefined) return;
      const at = packVersion(executedAt, 0);
      // A model versioned by its own member compares writes by it (NO_VERSION when this update lacks it); deletes and
      // floors still compare by block time, which every change carries.
      let version = at;
      if (deps.policy.hasOwnVersion(model)) {
        const own = deps.policy.ownVersionOf(model, (name) => (Object.hasOwn(members, name) ? (members[name] as ToriiValue) : undefined));
        version = own === undefined ? NO_VERSION : packVersion(own, 0);
      }
      deps.target().mergeWrite(target, model, version, at, members);
    },
    deleteModel(scope, entityId, executedAt, model) {
      if (!accept(model)) return;
      const target = pendingFor(scope, entityId, executedAt);
      if (target !== undefined) deps.target().mergeModelDelete(target, model, packVersion(executedAt, 0));
    },
    deleteEntity(scope, entityId, executedAt) {
      if (deps.isCancelled()) {
        deps.drops.drop("cancelled");
        return;
      }
      const target = pendingFor(scope, entityId, executedAt);
      if (target !== undefined) deps.target().mergeEntityDelete(target, packVersion(executedAt, 0));
    },
    gap() {
      stream?.onMessage();
      if (stream !== undefined) deps.counters.streamMessages += 1;
      stream?.onGap();
    },
    reject(error, _scope, entityId) {
      deps.drops.drop("malformed");
      deps.onRejected(error);
      // A bound model that could not be read still puts the entity in scope (it exists on the server).
      if (error.model !== undefined && deps.isBound(error.model)) inScope = true;
      if (entityId === undefined) {
        // The message ends here: no id to read further.
        deps.counters.received += 1;
        if (stream !== undefined) {
          deps.counters.streamMessages += 1;
          stream.onMessage();
        }
      }
    },
    entityEnd(scope, entityId, executedAt) {
      deps.counters.received += 1;
      if (stream !== undefined) {
        deps.counters.streamMessages += 1;
        stream.onMessage();
      }
      if (item !== undefined) deps.target().schedule();
      else {
        // Nothing of it was queued: it still tells how recent the entity is (for probes), when it is in scope.
        const ledger = deps.ledgers[scope];
        const known = inScope ? (ledger.noteSeen(entityId, executedAt), true) : ledger.noteSeenIfKnown(entityId, executedAt);
        if (known && executedAt > deps.counters.seenExecutedAt) deps.counters.seenExecutedAt = executedAt;
      }
      item = undefined;
      inScope = false;
    },
    closedStream() {
      deps.drops.drop("closed_stream");
    },
  };
}
