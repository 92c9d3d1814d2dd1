import type { DropRecorder } from "./drops";
import type { EntityId } from "./entity-id";
import type { SyncError } from "./errors";
import type { EntityLedger } from "./ledger";
import type { PendingStore } from "./pending-store";
import type { IntakeSink } from "./ports";
import type { LedgerScope, ModelTag, ToriiValue } from "./types";
import { NO_VERSION, packVersion, type VersionPolicy } from "./version";
import type { ComponentBinding } from "./writer/bindings";

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
  /** Where changes go now: the replay's buffer while it pages, the main store otherwise. */
  target(): PendingStore;
  readonly ledgers: Readonly<Record<LedgerScope, EntityLedger>>;
  readonly policy: VersionPolicy;
  binding(model: ModelTag): ComponentBinding | undefined;
  readonly drops: DropRecorder;
  readonly counters: IntakeCounters;
  /** A part of a message could not be read: counted per code, logged once. */
  onRejected(error: SyncError): void;
  /** A model no component binds: counted per model, said once. */
  onUnbound(model: ModelTag): void;
  /** A whole message was taken in (the drain may start once the burst is over). */
  onArrival(): void;
  isCancelled(): boolean;
}

export interface StreamHooks {
  /** Any stream message (the silence clock restarts). */
  onMessage(): void;
  onGap(): void;
}

/**
 * The intake port's implementation: decoded changes are versioned here (by the model's own version member when it has
 * one, else by block time) and merged into the pending store — or into the replay's buffer while one pages. Nothing is
 * applied here; `admit.ts` decides. One sink per kind: the stream's also restarts the silence clock and turns the
 * reconnect signal into evidence.
 */
export function createIntake(deps: IntakeDeps, stream?: StreamHooks): IntakeSink {
  // The entity message being read: its store and slot, set by its first change, cleared by entityEnd.
  let store: PendingStore | undefined;
  let slot = -1;
  let inScope = false;

  const slotOf = (scope: LedgerScope, entityId: EntityId, executedAt: number): number => {
    if (slot < 0) {
      store = deps.target();
      slot = store.slotFor(scope, entityId, executedAt);
      if (slot < 0) deps.drops.drop("cancelled");
    }
    return slot;
  };

  const accept = (model: ModelTag): ComponentBinding | undefined => {
    if (deps.isCancelled()) {
      deps.drops.drop("cancelled");
      return undefined;
    }
    const binding = deps.binding(model);
    if (binding === undefined) {
      deps.drops.drop("unknown_model");
      deps.onUnbound(model);
      return undefined;
    }
    inScope = true;
    return binding;
  };

  const ended = (): void => {
    deps.counters.received += 1;
    if (stream !== undefined) {
      deps.counters.streamMessages += 1;
      stream.onMessage();
    }
  };

  return {
    write(scope, entityId, executedAt, model, members, memberCount) {
      const binding = accept(model);
      if (binding === undefined) return;
      const target = slotOf(scope, entityId, executedAt);
      if (target < 0) return;
      const at = packVersion(executedAt, 0);
      // A model versioned by its own member compares writes by it (NO_VERSION when this update lacks it); deletes and
      // floors still compare by block time, which every change carries.
      let version = at;
      if (deps.policy.hasOwnVersion(model)) {
        const ledger = deps.ledgers[scope];
        if (ledger.refusesWriteAt(ledger.slotAt((store as PendingStore).entitySlotOf(target), entityId), binding.index, at)) {
          deps.drops.drop("stale");
          return;
        }
        const own = deps.policy.ownVersionOf(model, (name) => (Object.hasOwn(members, name) ? (members[name] as ToriiValue) : undefined));
        version = own === undefined ? NO_VERSION : packVersion(own, 0);
      }
      const unknown = (store as PendingStore).mergeWrite(target, binding.index, members, version, at, memberCount);
      if (unknown > 0) deps.drops.drop("unknown_member", unknown);
    },
    deleteModel(scope, entityId, executedAt, model) {
      const binding = accept(model);
      if (binding === undefined) return;
      const target = slotOf(scope, entityId, executedAt);
      if (target >= 0) (store as PendingStore).mergeModelDelete(target, binding.index, packVersion(executedAt, 0));
    },
    deleteEntity(scope, entityId, executedAt) {
      if (deps.isCancelled()) {
        deps.drops.drop("cancelled");
        return;
      }
      const target = slotOf(scope, entityId, executedAt);
      if (target >= 0) (store as PendingStore).mergeEntityDelete(target, packVersion(executedAt, 0));
    },
    gap() {
      if (stream === undefined) return;
      deps.counters.streamMessages += 1;
      stream.onMessage();
      stream.onGap();
    },
    reject(error, scope, entityId, executedAt) {
      deps.drops.drop("malformed");
      deps.onRejected(error);
      // Received, if unreadable: the stream audit must not take the server's record of it for a write never brought.
      if (entityId !== undefined && executedAt !== undefined) deps.ledgers[scope].rejected.note(entityId, error.model, executedAt);
      // A bound model that could not be read still puts the entity in scope (it exists on the server).
      if (error.model !== undefined && deps.binding(error.model) !== undefined) inScope = true;
      // Without an id the message ends here.
      if (entityId === undefined) ended();
    },
    entityEnd(scope, entityId, executedAt) {
      ended();
      if (slot >= 0) deps.onArrival();
      else {
        // Nothing of it was queued: it still tells how recent the entity is (for probes), when it is in scope.
        const ledger = deps.ledgers[scope];
        const known = inScope ? (ledger.noteSeen(entityId, executedAt), true) : ledger.noteSeenIfKnown(entityId, executedAt);
        if (known && executedAt > deps.counters.seenExecutedAt) deps.counters.seenExecutedAt = executedAt;
      }
      store = undefined;
      slot = -1;
      inScope = false;
    },
    closedStream() {
      deps.drops.drop("closed_stream");
    },
  };
}
