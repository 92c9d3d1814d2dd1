import { getComponentValue, getEntitySymbol, removeComponent, setComponent, type Entity, type Schema, type Type as RecsType } from "@dojoengine/recs";
import type { EntityId } from "../entity-id";
import { asSyncError, SyncError } from "../errors";
import type { ModelTag, ToriiValue } from "../types";
import { bindComponents, type ComponentBinding, type ComponentsInput } from "./bindings";
import { convertValue, type ConversionNotes, type EnumVariantOrder } from "./convert";
import { readLive, wholeValue } from "./component-values";
import { sameValue } from "./same-value";

export interface ConvertedMembers {
  readonly values: Map<string, unknown>;
  readonly errors: SyncError[];
  /** Members Torii sent that the component's schema does not have (a newer contract than the client): ignored. */
  readonly unknownMembers: string[];
}

export interface PendingConversion {
  readonly values: Map<string, unknown>;
  /** Members Torii sent that the component's schema does not have (a newer contract than the client): ignored. */
  readonly unknownMembers: number;
  /** Per converted member, its version and block time (see MemberClock). */
  readonly versions: Map<string, { readonly version: number; readonly at: number }>;
  readonly errors: readonly SyncError[];
}

const NO_ERRORS: readonly SyncError[] = [];

export interface RecsWriterOptions {
  /** Told of valid values stored with a loss (a u64 past 2^53 in a Number field). */
  readonly notes?: ConversionNotes;
  /** Variant order per enum type name, for enums stored in Number fields (see `enumVariants` on the pipeline). */
  readonly enumVariants?: EnumVariantOrder;
  /** Shard the bound components' RECS Maps (see util/sharded-map.ts). @default true */
  readonly shardValues?: boolean;
}

export interface WriterCounters {
  writes: number;
  removes: number;
  /** Partial first updates held until the component is complete. */
  held: number;
}

/**
 * Converts Torii values by each component's schema and writes them to RECS. A component the client has never seen is
 * written only once every required field is known: RECS hides a half-written component (`getComponentValue` returns
 * undefined), so writing it early would make it exist and be invisible at once.
 */
export class RecsWriter {
  readonly counters: WriterCounters = { writes: 0, removes: 0, held: 0 };
  private readonly bindings: Map<ModelTag, ComponentBinding>;
  private readonly held = new Map<ModelTag, Map<EntityId, Map<string, unknown>>>();

  private readonly notes: ConversionNotes | undefined;
  private readonly enumVariants: EnumVariantOrder | undefined;

  constructor(components: ComponentsInput, options: RecsWriterOptions = {}) {
    this.bindings = bindComponents(components, { shardValues: options.shardValues ?? true });
    this.notes = options.notes;
    this.enumVariants = options.enumVariants;
  }

  /** The bound models in column order (`binding.index`): the layout of the pending store and the ledger. */
  layout(): ComponentBinding[] {
    return [...this.bindings.values()].sort((a, b) => a.index - b.index);
  }

  binding(model: ModelTag): ComponentBinding | undefined {
    return this.bindings.get(model);
  }

  models(): IterableIterator<ModelTag> {
    return this.bindings.keys();
  }

  /** Whether the members cover the whole schema (a full write). */
  isComplete(binding: ComponentBinding, members: ReadonlyMap<string, unknown>): boolean {
    for (const field of binding.fields) if (!members.has(field)) return false;
    return true;
  }

  convert(binding: ComponentBinding, entityId: EntityId, members: Iterable<readonly [string, ToriiValue]>): ConvertedMembers {
    const values = new Map<string, unknown>();
    const errors: SyncError[] = [];
    const unknownMembers: string[] = [];
    const schema = binding.component.schema;
    for (const [member, ty] of members) {
      if (!Object.hasOwn(schema, member)) {
        unknownMembers.push(member);
        continue;
      }
      try {
        values.set(member, convertValue(schema[member] as RecsType | Schema, ty, `${binding.model}.${member}`, this.notes, this.enumVariants));
      } catch (thrown) {
        const error = asSyncError(thrown, `${binding.model}.${member}`);
        errors.push(new SyncError(error.code, error.message, { entityId, model: binding.model, member, cause: error }));
      }
    }
    return { values, errors, unknownMembers };
  }

  /** Convert queued members, keeping the version of each member that converted. */
  convertPending(binding: ComponentBinding, entityId: EntityId, members: ReadonlyMap<string, { readonly value: ToriiValue; readonly version: number; readonly at: number }>): PendingConversion {
    const values = new Map<string, unknown>();
    const versions = new Map<string, { readonly version: number; readonly at: number }>();
    let errors: SyncError[] | undefined;
    let unknownMembers = 0;
    const schema = binding.component.schema;
    for (const [member, pending] of members) {
      if (!Object.hasOwn(schema, member)) {
        unknownMembers += 1;
        continue;
      }
      try {
        values.set(member, convertValue(schema[member] as RecsType | Schema, pending.value, `${binding.model}.${member}`, this.notes, this.enumVariants));
        versions.set(member, pending);
      } catch (thrown) {
        const error = asSyncError(thrown, `${binding.model}.${member}`);
        (errors ??= []).push(new SyncError(error.code, error.message, { entityId, model: binding.model, member, cause: error }));
      }
    }
    return { values, versions, unknownMembers, errors: errors ?? NO_ERRORS };
  }

  /**
   * Convert the admitted columns of a pending row into `out` (by column). Returns the errors when a member cannot be
   * converted, its column marked `UNCONVERTIBLE` in `admitted`: the update that carried it must not land (never a torn
   * component), the caller decides what else goes with it.
   */
  convertRow(binding: ComponentBinding, entityId: EntityId, values: readonly unknown[], base: number, admitted: Uint8Array, out: unknown[]): SyncError[] | undefined {
    const schema = binding.component.schema;
    let errors: SyncError[] | undefined;
    for (let column = 0; column < binding.fields.length; column += 1) {
      if (admitted[column] !== 1) continue;
      const field = binding.fields[column] as string;
      try {
        out[column] = convertValue(schema[field] as RecsType | Schema, values[base + column] as ToriiValue, `${binding.model}.${field}`, this.notes, this.enumVariants);
      } catch (thrown) {
        const error = asSyncError(thrown, `${binding.model}.${field}`);
        (errors ??= []).push(new SyncError(error.code, error.message, { entityId, model: binding.model, member: field, cause: error }));
        admitted[column] = UNCONVERTIBLE;
      }
    }
    return errors;
  }

  /**
   * The error converting one member's value raises, or `undefined`; reports nothing, and notes no precision loss (the
   * drain converts it again). A trial, for updates of one block time meeting in a pending row (pending-ties.ts).
   */
  tryConvert(binding: ComponentBinding, entityId: EntityId, column: number, value: unknown): SyncError | undefined {
    const field = binding.fields[column] as string;
    try {
      convertValue(binding.component.schema[field] as RecsType | Schema, value as ToriiValue, `${binding.model}.${field}`, undefined, this.enumVariants);
      return undefined;
    } catch (thrown) {
      const error = asSyncError(thrown, `${binding.model}.${field}`);
      return new SyncError(error.code, error.message, { entityId, model: binding.model, member: field, cause: error });
    }
  }

  /**
   * Write converted columns in one RECS write: a live component gets one merged object (RECS's own values read once,
   * for the update's previous value); a new one is written once every required field is known (held until then).
   */
  writeRow(binding: ComponentBinding, entityId: EntityId, out: readonly unknown[], admitted: Uint8Array, symbol: symbol = getEntitySymbol(entityId as unknown as Entity)): void {
    const entity = entityId as unknown as Entity;
    const { component, fields, stores } = binding;
    const previous = readLive(binding, symbol);
    if (previous === undefined && !this.completes(binding, entityId, admitted)) {
      // A partial first write, held until complete: the rare path, through the Map-based write.
      const values = new Map<string, unknown>();
      for (let column = 0; column < fields.length; column += 1) if (admitted[column] === 1) values.set(fields[column] as string, out[column]);
      this.write(binding, entityId, values);
      return;
    }
    const next: Record<string, unknown> = previous === undefined ? {} : { ...previous };
    for (let column = 0; column < fields.length; column += 1) {
      // A new component gets every column, an optional one never sent as undefined: RECS finds a component's entities
      // (hasComponent, Has queries, entities()) by its FIRST field's Map alone, and that field may be optional.
      if (admitted[column] !== 1 && previous !== undefined) continue;
      const value = admitted[column] === 1 ? out[column] : undefined;
      next[fields[column] as string] = value;
      stores[column]?.set(symbol, value);
    }
    // What setComponent does and announces, without its two further reads of the value.
    component.update$.next({ entity, value: [next as never, previous], component });
    this.counters.writes += 1;
  }

  /**
   * Whether the live component already holds these converted members (a replay over a warm start brings rows at the
   * versions the ledger has): such a row is not written again, so RECS announces nothing and no listener runs.
   */
  holds(binding: ComponentBinding, out: readonly unknown[], admitted: Uint8Array, symbol: symbol): boolean {
    const { fields, stores, requiredColumns } = binding;
    for (let column = 0; column < fields.length; column += 1) {
      const current = stores[column]?.get(symbol);
      // Not live (a required member missing): the row completes it, so it must be written.
      if (current === undefined && requiredColumns[column] === true) return false;
      if (admitted[column] === 1 && !sameValue(current, out[column], 0)) return false;
    }
    return true;
  }

  /** Whether a first write of these columns makes the component visible, with nothing held for it. */
  private completes(binding: ComponentBinding, entityId: EntityId, admitted: Uint8Array): boolean {
    if (this.held.get(binding.model)?.has(entityId) === true) return false;
    const { requiredColumns } = binding;
    for (let column = 0; column < requiredColumns.length; column += 1) if (requiredColumns[column] === true && admitted[column] !== 1) return false;
    return true;
  }

  /** Write converted members: an update of a live component, or (part of) a new one, written once complete. */
  write(binding: ComponentBinding, entityId: EntityId, values: ReadonlyMap<string, unknown>): void {
    if (values.size === 0) return;
    const entity = entityId as unknown as Entity;
    const component = binding.component;
    // One read: a live component gets its merged value in one setComponent (RECS emits the value it is given).
    const current = getComponentValue(component, entity);
    if (current !== undefined) {
      const merged: Record<string, unknown> = { ...current };
      for (const [member, value] of values) merged[member] = value;
      setComponent(component, entity, merged as never);
      this.counters.writes += 1;
      return;
    }
    let heldForModel = this.held.get(binding.model);
    // The common case, a whole first write: straight to RECS, nothing held.
    if (heldForModel?.has(entityId) !== true && binding.required.every((field) => values.has(field))) {
      setComponent(component, entity, wholeValue(binding, values) as never);
      this.counters.writes += 1;
      return;
    }
    const pending = heldForModel?.get(entityId) ?? new Map<string, unknown>();
    for (const [member, value] of values) pending.set(member, value);
    if (binding.required.every((field) => pending.has(field))) {
      heldForModel?.delete(entityId);
      setComponent(component, entity, wholeValue(binding, pending) as never);
      this.counters.writes += 1;
      return;
    }
    if (heldForModel === undefined) {
      heldForModel = new Map();
      this.held.set(binding.model, heldForModel);
    }
    if (!heldForModel.has(entityId)) this.counters.held += 1;
    heldForModel.set(entityId, pending);
  }

  /**
   * Remove the component. Members in `keep` were written after the delete: they stay pending, so the component
   * reappears once a later update completes it.
   */
  remove(binding: ComponentBinding, entityId: EntityId, keep: readonly string[] = []): void {
    const heldForModel = this.held.get(binding.model);
    const entity = entityId as unknown as Entity;
    // Live by the same rule as a write (every required field held), not hasComponent's first field alone.
    const live = getComponentValue(binding.component, entity);
    const survivors = new Map<string, unknown>();
    for (const member of keep) {
      const source = live ?? Object.fromEntries(heldForModel?.get(entityId) ?? []);
      if (Object.hasOwn(source, member)) survivors.set(member, (source as Record<string, unknown>)[member]);
    }
    heldForModel?.delete(entityId);
    if (live !== undefined) {
      removeComponent(binding.component, entity);
      this.counters.removes += 1;
    }
    if (survivors.size > 0) this.write(binding, entityId, survivors);
  }

  /** Remove every synced component of the entity but what the delete keeps (see EntityLedger.admitEntityDelete). */
  removeEntity(entityId: EntityId, kept: ReadonlyMap<ModelTag, readonly string[] | "all">): void {
    for (const binding of this.bindings.values()) {
      const keep = kept.get(binding.model);
      if (keep !== "all") this.remove(binding, entityId, keep);
    }
  }

  /** The entity's current RECS values per bound model (`undefined` where it has none): what the inspector shows. */
  valuesOf(entityId: EntityId): Record<ModelTag, unknown> {
    const values: Record<ModelTag, unknown> = {};
    for (const [model, binding] of this.bindings) values[model] = getComponentValue(binding.component, entityId as unknown as Entity);
    return values;
  }

  /** Entities currently held incomplete, per model: a component that never completes shows up here. */
  heldCount(): number {
    let count = 0;
    for (const perModel of this.held.values()) count += perModel.size;
    return count;
  }
}

/** `convertRow` marks a column whose value could not be converted with this in `admitted` (1: admitted). */
export const UNCONVERTIBLE = 2;
