import { FakeToriiError } from "../errors";
import type { ProtoEntity } from "../protocol/codecs";
import { padHex } from "../protocol/felt";
import { preferWasmPoseidon } from "../protocol/wasm-poseidon";
import { BLITZ_MODELS } from "../schema/blitz-models";
import { modelTag } from "../schema/types";
import { assertValidModel } from "../schema/validate-schema";
import type { MemberDef, ModelDef, ModelValues, Value } from "../schema/types";
import { WorldStore } from "../store/world-store";
import type { EntityKind, EntityRow } from "../store/world-store";
import { normalizeValue } from "../values/normalize";
import type { DecodedEntity } from "../values/to-decoded";
import { toProtoStruct } from "../values/to-proto";
import { assertWireEntity } from "../values/wire-guard";
import type { ActivityWorld, WorldActivity } from "./activity";
import { blitzActivity } from "./blitz-activity";
import type { ChangeOperation, WorldChange, WorldHead, WorldListener } from "./changes";
import { EntityViews } from "./entity-views";
import { IndexerClock } from "./indexer-clock";
import { assertKeyableModel, keyValues, toKeyFelt } from "./keys";
import { createRng } from "./rng";
import type { Rng } from "./rng";
import { idOfTarget, resolveExisting, resolveTarget } from "./targets";
import { DEFAULT_WORLD_ADDRESS } from "./world-options";
import type { WorldOptions } from "./world-options";
import type { EntityTarget, MembersInput, WorldCounts, WriteReceipt } from "./world-types";

export { DEFAULT_WORLD_ADDRESS } from "./world-options";
export type { WorldOptions } from "./world-options";
export type { EntityTarget, MembersInput, WorldCounts, WriteReceipt } from "./world-types";

/** A model with its members by name, looked up once per world instead of once per write. */
interface ModelEntry {
  readonly def: ModelDef;
  readonly members: ReadonlyMap<string, MemberDef>;
}

/**
 * A deterministic Dojo world: state lives in memory and in SQLite shaped like Torii's, and every write is announced to
 * listeners exactly as Torii would push it (only the changed model, only the changed members, `{}` for a model delete,
 * `models: []` for a whole-entity delete).
 */
export class WorldSimulator implements ActivityWorld {
  readonly worldAddress: string;
  readonly models: readonly ModelDef[];
  readonly store: WorldStore;
  private readonly byTag = new Map<string, ModelEntry>();
  private readonly listeners = new Set<WorldListener>();
  private readonly rng: Rng;
  private readonly activity: WorldActivity | false;
  private readonly clock: IndexerClock;
  private readonly views: EntityViews;

  constructor(options: WorldOptions = {}) {
    this.worldAddress = padHex(toKeyFelt(options.worldAddress ?? DEFAULT_WORLD_ADDRESS, "worldAddress"));
    this.models = options.models ?? BLITZ_MODELS;
    for (const model of this.models) {
      const tag = modelTag(model);
      assertValidModel(model);
      assertKeyableModel(model, tag);
      if (this.byTag.has(tag)) throw new FakeToriiError("FAKE_TORII_BAD_SCHEMA", `model ${tag} is defined twice`);
      this.byTag.set(tag, { def: model, members: new Map(model.members.map((m) => [m.name, m])) });
    }
    preferWasmPoseidon();
    this.store = new WorldStore(this.models);
    this.views = new EntityViews(this.store, new Map([...this.byTag].map(([tag, entry]) => [tag, entry.def])), this.worldAddress);
    this.rng = createRng(options.seed ?? 1);
    this.clock = new IndexerClock(this.worldAddress, { block: options.startBlock ?? 1000, timestamp: options.startTimestamp ?? 1_700_000_000 }, options.indexerLagSeconds ?? 1);
    this.activity = options.activity ?? (options.models === undefined ? blitzActivity() : false);
    const activity = this.activity;
    if (activity !== false) this.batch(() => activity.genesis(this, this.rng.fork("genesis")));
  }

  head(): WorldHead {
    return this.clock.head();
  }

  /** Advances `blocks` blocks; each gets activity (unless `quiet`) and then a head tick. */
  step(blocks = 1, options: { readonly quiet?: boolean } = {}): WorldHead {
    for (let i = 0; i < blocks; i += 1) {
      this.clock.advance(this.rng);
      const activity = this.activity;
      if (activity !== false && options.quiet !== true) this.batch(() => activity.block(this, this.rng));
      const head = this.head();
      for (const listener of this.listeners) listener.onHead?.(head);
    }
    return this.head();
  }

  /** Writes a whole model (key members may be left out when the target gives keys). */
  setModel(target: EntityTarget, tag: string, members: MembersInput): WriteReceipt {
    return this.writeFull("entity", target, tag, members);
  }

  /** Emits an event message (stored in `event_messages`, pushed to SubscribeEventMessages). */
  emitEvent(target: EntityTarget, tag: string, members: MembersInput): WriteReceipt {
    return this.writeFull("event", target, tag, members);
  }

  /** Changes some top-level members of an existing model; subscribers get only those members. */
  updateMembers(target: EntityTarget, tag: string, members: MembersInput): WriteReceipt {
    const model = this.requireModel(tag, "entity");
    const { id, keys, row } = resolveTarget(this.store, "entity", target, model.def, tag, members);
    const current = row === undefined ? undefined : this.store.readModel(tag, id);
    if (row === undefined || current === undefined) {
      throw new FakeToriiError("FAKE_TORII_UNKNOWN_ENTITY", `updateMembers: ${id} has no ${tag}; write it with setModel first`);
    }
    const changed: Record<string, Value> = {};
    let count = 0;
    for (const name in members) {
      const def = model.members.get(name);
      if (def === undefined) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag} has no member ${JSON.stringify(name)}`);
      if (def.key === true) continue;
      changed[name] = normalizeValue(def.type, members[name], `${tag}.${name}`);
      count += 1;
    }
    if (count === 0) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `updateMembers on ${tag} changes no member`);
    const next = this.clock.nextRow(id, keys, row);
    const entity = this.views.protoEntity(next, [toProtoStruct(tag, model.def.members, changed)]);
    assertWireEntity(entity, `updateMembers(${tag})`);
    this.store.putEntity("entity", next);
    this.store.writeModel("entity", tag, next, { ...current, ...changed });
    this.announce("entity", "update", next, keys, entity, undefined);
    return this.receipt(next);
  }

  /** Removes one model; Torii announces it as that model with no members (`{}` once decoded). */
  deleteModel(target: EntityTarget, tag: string): WriteReceipt {
    this.requireModel(tag, "entity");
    const { id, keys, row } = resolveExisting(this.store, target);
    if (!this.store.hasModelOn("entity", id, tag)) throw new FakeToriiError("FAKE_TORII_UNKNOWN_ENTITY", `deleteModel: ${id} has no ${tag}`);
    const before = this.views.readAll("entity", id);
    const next = this.clock.nextRow(id, keys, row);
    const entity = this.views.protoEntity(next, [{ name: tag, children: [] }]);
    this.store.removeModel("entity", tag, id);
    // Like Torii, an entity left with no model is gone from `entities` (and from pages).
    if (this.store.modelsOf("entity", id).length === 0) this.store.removeEntity("entity", id);
    else this.store.putEntity("entity", next);
    this.announce("entity", "deleteModel", next, keys, entity, before);
    return this.receipt(next);
  }

  /** Removes the whole entity; announced with `models: []`, the older Torii encoding of a delete. */
  deleteEntity(target: EntityTarget): WriteReceipt {
    const { id, keys, row } = resolveExisting(this.store, target);
    const before = this.views.readAll("entity", id);
    const next = this.clock.nextRow(id, keys, row);
    const entity = this.views.protoEntity(next, []);
    this.store.removeEntity("entity", id);
    this.announce("entity", "deleteEntity", next, keys, entity, before);
    return this.receipt(next);
  }

  /**
   * Groups writes, for bursts. State is kept in memory and its SQLite mirror is written at the next read (SQL, pages),
   * in one transaction, so a group costs nothing extra. It is not atomic: a write that throws leaves the earlier writes
   * of the group in place (they were already announced to subscribers, as Torii would have pushed them).
   */
  batch<T>(work: () => T): T {
    return this.store.transaction(work);
  }

  /** Every live entity as the wasm client decodes it, ordered by id. */
  entities(): DecodedEntity[] {
    return this.views.decodeAll("entity");
  }

  /** Every event message as the wasm client decodes it, ordered by id. */
  eventMessages(): DecodedEntity[] {
    return this.views.decodeAll("event");
  }

  /** One entity as the client decodes it, or undefined when it does not exist. */
  entity(target: EntityTarget): DecodedEntity | undefined {
    const row = this.store.getEntity("entity", idOfTarget(target));
    return row === undefined ? undefined : this.views.decode("entity", row);
  }

  /** Canonical member values of one model of an entity (decoded leaf values, no Ty wrappers; frozen). */
  modelValues(target: EntityTarget, tag: string): ModelValues | undefined {
    return this.store.readModel(tag, idOfTarget(target));
  }

  /** Live entity ids (padded hex) holding `tag`, in id order. */
  idsWith(tag: string, limit = -1, offset = 0): string[] {
    if (!this.byTag.has(tag)) throw new FakeToriiError("FAKE_TORII_UNKNOWN_MODEL", `no model ${JSON.stringify(tag)}`);
    const table = `"${tag.replaceAll('"', '""')}"`;
    const rows = this.store.db.prepare(`SELECT internal_id AS id FROM ${table} ORDER BY length(internal_id), internal_id LIMIT ? OFFSET ?`).all(limit, offset);
    // SQL spells ids as Torii does (minimal hex; ordered as numbers); the world's API speaks padded ids.
    return (rows as { id: string }[]).map((r) => padHex(BigInt(r.id)));
  }

  counts(): WorldCounts {
    const models: Record<string, number> = {};
    for (const tag of this.byTag.keys()) models[tag] = this.store.countModel(tag);
    return { entities: this.store.count("entity"), eventMessages: this.store.count("event"), models };
  }

  /** Runs a read-only SQL query against the world's database (what `POST /sql` answers). */
  sql(query: string): Record<string, unknown>[] {
    const statement = this.store.db.prepare(query);
    if (!statement.reader) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", "only read-only queries (SELECT …) are allowed");
    return statement.all() as Record<string, unknown>[];
  }

  /**
   * @internal The server's view of one stored entity: its models (optionally only `tags`) fully encoded for a page.
   * Returns undefined when the entity holds none of `tags`.
   */
  snapshot(kind: EntityKind, row: EntityRow, tags?: readonly string[]): { entity: ProtoEntity; values: Record<string, ModelValues> } | undefined {
    return this.views.snapshot(kind, row, tags);
  }

  subscribe(listener: WorldListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    this.store.close();
  }

  private writeFull(kind: EntityKind, target: EntityTarget, tag: string, members: MembersInput): WriteReceipt {
    const model = this.requireModel(tag, kind);
    const { id, keys, row } = resolveTarget(this.store, kind, target, model.def, tag, members);
    const values: Record<string, Value> = keyValues(model.def, keys, tag);
    for (const name in members) {
      if (!model.members.has(name)) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag} has no member ${JSON.stringify(name)}`);
    }
    for (const m of model.def.members) {
      if (m.key === true) continue;
      if (!(m.name in members)) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag}.${m.name}: missing (setModel writes every member)`);
      values[m.name] = normalizeValue(m.type, members[m.name], `${tag}.${m.name}`);
    }
    const next = this.clock.nextRow(id, keys, row);
    const entity = this.views.protoEntity(next, [toProtoStruct(tag, model.def.members, values)]);
    assertWireEntity(entity, `${kind === "event" ? "emitEvent" : "setModel"}(${tag})`);
    this.store.putEntity(kind, next);
    this.store.writeModel(kind, tag, next, values);
    this.announce(kind, "set", next, keys, entity, undefined);
    return this.receipt(next);
  }

  private requireModel(tag: string, kind: EntityKind): ModelEntry {
    const model = this.byTag.get(tag);
    if (model === undefined) throw new FakeToriiError("FAKE_TORII_UNKNOWN_MODEL", `no model ${JSON.stringify(tag)} (known: ${[...this.byTag.keys()].join(", ")})`);
    if ((model.def.kind === "event") !== (kind === "event")) {
      throw new FakeToriiError("FAKE_TORII_UNKNOWN_MODEL", `${tag} is ${model.def.kind === "event" ? "an event model: use emitEvent" : "not an event model: use setModel"}`);
    }
    return model;
  }

  private announce(kind: EntityKind, operation: ChangeOperation, row: EntityRow, keys: readonly bigint[], entity: ProtoEntity, before: Record<string, ModelValues> | undefined): void {
    if (this.listeners.size === 0) return;
    let cached = before;
    const change: WorldChange = {
      kind,
      operation,
      entityId: row.id,
      keys,
      entity,
      modelsForMatching: () => (cached ??= this.views.readAll(kind, row.id)),
    };
    for (const listener of this.listeners) listener.onChange?.(change);
  }

  private receipt(row: EntityRow): WriteReceipt {
    return { entityId: row.id, eventId: row.eventId, block: this.clock.currentBlock, executedAt: row.executedAt, updatedAt: row.updatedAt };
  }
}
