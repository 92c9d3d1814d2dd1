// A reference of the admission's rules, written apart from src/persist, and the real Torii decoder in front of it:
// what the cache hands back must rebuild the same state as the changes it was fed.
import type { EntityId } from "../../src/core/entity-id";
import type { AdmittedChange, IntakeSink } from "../../src/core/ports";
import type { LedgerScope, ToriiValue } from "../../src/core/types";
import type { ScopedMessages, ToriiEntityMessage } from "../../src/persist/messages";
import { decodeEntity } from "../../src/torii/decode";

interface ModelState {
  readonly members: Map<string, { value: ToriiValue; at: number }>;
  deletedAt: number;
}

/** Versions by block time; ties go to the later arrival; tombstones wipe what is no newer and keep older writes out. */
export class ReferenceState {
  readonly floors = new Map<string, number>();
  readonly models = new Map<string, ModelState>();
  rejected = 0;

  apply(change: AdmittedChange): void {
    const entity = `${change.scope}|${change.entityId}`;
    const floor = this.floors.get(entity) ?? -1;
    if (change.kind === "delete_entity") {
      if (change.at < floor) return;
      this.floors.set(entity, change.at);
      for (const [key, model] of this.models) if (key.startsWith(`${entity}|`)) wipe(model, change.at);
      return;
    }
    const model = this.model(`${entity}|${change.model}`);
    if (change.kind === "delete_model") {
      if (change.at < floor) return;
      model.deletedAt = Math.max(model.deletedAt, change.at);
      wipe(model, change.at);
      return;
    }
    change.members.forEach((name, i) => {
      const at = change.ats[i] as number;
      const held = model.members.get(name);
      if (at < floor || (held === undefined ? at < model.deletedAt : at < held.at)) return;
      model.members.set(name, { value: change.values[i] as ToriiValue, at });
    });
  }

  /** Feed Torii entity messages through the real decoder, as the engine's hydration will. */
  applyMessages(scope: LedgerScope, messages: readonly ToriiEntityMessage[]): void {
    const sink = this.sink();
    for (const message of messages) decodeEntity(message, scope, false, sink);
  }

  applyBatches(batches: readonly ScopedMessages[]): void {
    for (const batch of batches) this.applyMessages(batch.scope, batch.messages);
  }

  /** What a reader can tell: live members with their times, and how old a write to each model must be to land. */
  visible(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of [...this.models.keys()].sort()) {
      const model = this.models.get(key) as ModelState;
      const entity = key.split("|").slice(0, 2).join("|");
      const entityFloor = this.floors.get(entity) ?? -1;
      const members = [...model.members].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, { value, at }]) => [name, at, JSON.stringify(value)]);
      // A model tombstone no newer than its entity's says nothing more: only the newer ones are state.
      if (members.length > 0 || model.deletedAt > entityFloor) out[key] = { floor: Math.max(model.deletedAt, entityFloor), members };
    }
    for (const [entity, floor] of [...this.floors].sort()) out[entity] = floor;
    return out;
  }

  private model(key: string): ModelState {
    let model = this.models.get(key);
    if (model === undefined) {
      model = { members: new Map(), deletedAt: -1 };
      this.models.set(key, model);
    }
    return model;
  }

  private sink(): IntakeSink {
    return {
      write: (scope, entityId, executedAt, model, members) => {
        const names = Object.keys(members);
        this.apply({ kind: "write", scope, entityId, model, members: names, values: names.map((n) => members[n] as ToriiValue), ats: names.map(() => executedAt) });
      },
      deleteModel: (scope, entityId: EntityId, at, model) => this.apply({ kind: "delete_model", scope, entityId, model, at }),
      deleteEntity: (scope, entityId, at) => this.apply({ kind: "delete_entity", scope, entityId, at }),
      gap: () => undefined,
      reject: () => void (this.rejected += 1),
      entityEnd: () => undefined,
      closedStream: () => undefined,
    };
  }
}

function wipe(model: ModelState, at: number): void {
  for (const [name, member] of model.members) if (member.at <= at) model.members.delete(name);
}

export function referenceOf(changes: readonly AdmittedChange[]): ReferenceState {
  const state = new ReferenceState();
  for (const change of changes) state.apply(change);
  return state;
}
