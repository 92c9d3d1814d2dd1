import { FakeToriiError } from "../errors";
import type { ProtoEntity } from "../protocol/codecs";
import { entityIdFromKeys, padHex } from "../protocol/felt";
import { BLITZ_MODELS } from "../schema/blitz-models";
import { modelTag } from "../schema/types";
import { assertValidModel } from "../schema/validate-schema";
import type { ModelDef, ModelValues, Value } from "../schema/types";
import { WorldStore } from "../store/world-store";
import type { EntityKind, EntityRow } from "../store/world-store";
import type { ValueInput } from "../values/normalize";
import { normalizeValue } from "../values/normalize";
import type { DecodedEntity } from "../values/to-decoded";
import { toProtoStruct } from "../values/to-proto";
import { assertWireEntity } from "../values/wire-guard";
import { blitzActivity } from "./blitz-activity";
import { EntityViews } from "./entity-views";
import type { WorldActivity } from "./blitz-activity";
import type { ChangeOperation, WorldChange, WorldHead, WorldListener } from "./changes";
import { assertKeyableModel, keysFromMembers, keysFromText, keysToText, keyValues, toKeyFelt } from "./keys";
import type { KeyInput } from "./keys";
import { createRng } from "./rng";
import type { Rng } from "./rng";

/** Which entity a write targets: its id (hashed keys, any hex form) or its keys. */
export type EntityTarget = string | { readonly keys: readonly KeyInput[] };
export type MembersInput = Readonly<Record<string, ValueInput>>;

/** What one write produced: the version Torii's SQL would hold for it. */
export interface WriteReceipt {
  readonly entityId: string;
  readonly eventId: string;
  readonly block: number;
  readonly executedAt: number;
  readonly updatedAt: number;
}

export interface WorldCounts {
  readonly entities: number;
  readonly eventMessages: number;
  /** Live rows per model tag. */
  readonly models: Readonly<Record<string, number>>;
}

export interface WorldOptions {
  /** Seed of every random choice the world makes. @default 1 */
  readonly seed?: number;
  /** The world contract address (a felt). @default "0x0" + "5eed…" padded */
  readonly worldAddress?: string;
  /** Models the world holds. @default BLITZ_MODELS */
  readonly models?: readonly ModelDef[];
  /** Head block before the first step. @default 1000 */
  readonly startBlock?: number;
  /** Head block timestamp (unix seconds) before the first step. @default 1_700_000_000 */
  readonly startTimestamp?: number;
  /** How many seconds after the block timestamp the indexer writes a row (`updated_at - executed_at`). @default 1 */
  readonly indexerLagSeconds?: number;
  /** What happens on `step()` and at genesis; `false` for a world that only changes through the write API.
   * @default blitzActivity() when `models` is BLITZ_MODELS, otherwise false */
  readonly activity?: WorldActivity | false;
}

export const DEFAULT_WORLD_ADDRESS = padHex(0x5eed_0000_7041_1000n);

/**
 * A deterministic Dojo world: state lives in SQLite shaped like Torii's, and every write is announced to listeners
 * exactly as Torii would push it (only the changed model, only the changed members, `{}` for a model delete,
 * `models: []` for a whole-entity delete).
 */
export class WorldSimulator {
  readonly worldAddress: string;
  readonly models: readonly ModelDef[];
  readonly store: WorldStore;
  private readonly byTag = new Map<string, ModelDef>();
  private readonly listeners = new Set<WorldListener>();
  private readonly rng: Rng;
  private readonly activity: WorldActivity | false;
  private readonly lag: number;
  private block: number;
  private timestamp: number;
  private eventIndex = 0;
  private readonly views: EntityViews;

  constructor(options: WorldOptions = {}) {
    this.worldAddress = padHex(toKeyFelt(options.worldAddress ?? DEFAULT_WORLD_ADDRESS, "worldAddress"));
    this.models = options.models ?? BLITZ_MODELS;
    for (const model of this.models) {
      const tag = modelTag(model);
      assertValidModel(model);
      assertKeyableModel(model, tag);
      if (this.byTag.has(tag)) throw new FakeToriiError("FAKE_TORII_BAD_SCHEMA", `model ${tag} is defined twice`);
      this.byTag.set(tag, model);
    }
    this.store = new WorldStore(this.models);
    this.views = new EntityViews(this.store, this.byTag, this.worldAddress);
    this.rng = createRng(options.seed ?? 1);
    this.lag = options.indexerLagSeconds ?? 1;
    this.block = options.startBlock ?? 1000;
    this.timestamp = options.startTimestamp ?? 1_700_000_000;
    this.activity = options.activity ?? (options.models === undefined ? blitzActivity() : false);
    if (this.activity !== false) this.batch(() => (this.activity as WorldActivity).genesis(this, this.rng.fork("genesis")));
  }

  head(): WorldHead {
    return { block: this.block, timestamp: this.timestamp };
  }

  /** Advances `blocks` blocks; each gets activity (unless `quiet`) and then a head tick. */
  step(blocks = 1, options: { readonly quiet?: boolean } = {}): WorldHead {
    for (let i = 0; i < blocks; i += 1) {
      this.block += 1;
      // Whole seconds that often repeat: timestamps are a coarse version with ties, as on Starknet.
      this.timestamp += this.rng.pick([0, 1, 1, 2]);
      this.eventIndex = 0;
      if (this.activity !== false && options.quiet !== true) {
        const activity = this.activity;
        this.batch(() => activity.block(this, this.rng));
      }
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
    const { id, keys, row } = this.resolve("entity", target, model, members);
    const current = row === undefined ? undefined : this.store.readModel(tag, id);
    if (row === undefined || current === undefined) {
      throw new FakeToriiError("FAKE_TORII_UNKNOWN_ENTITY", `updateMembers: ${id} has no ${tag}; write it with setModel first`);
    }
    const changed: Record<string, Value> = {};
    for (const [name, input] of Object.entries(members)) {
      const def = model.members.find((m) => m.name === name);
      if (def === undefined) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag} has no member ${JSON.stringify(name)}`);
      if (def.key === true) continue;
      changed[name] = normalizeValue(def.type, input, `${tag}.${name}`);
    }
    if (Object.keys(changed).length === 0) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `updateMembers on ${tag} changes no member`);
    const next = this.nextRow(id, keys, row);
    const entity = this.views.protoEntity(next, [toProtoStruct(tag, model.members, changed)]);
    assertWireEntity(entity, `updateMembers(${tag})`);
    this.store.putEntity("entity", next);
    this.store.writeModel("entity", tag, next, { ...current, ...changed });
    this.announce("entity", "update", next, keys, entity, undefined);
    return this.receipt(next);
  }

  /** Removes one model; Torii announces it as that model with no members (`{}` once decoded). */
  deleteModel(target: EntityTarget, tag: string): WriteReceipt {
    this.requireModel(tag, "entity");
    const { id, keys, row } = this.resolveExisting(target);
    if (!this.store.modelsOf("entity", id).includes(tag)) {
      throw new FakeToriiError("FAKE_TORII_UNKNOWN_ENTITY", `deleteModel: ${id} has no ${tag}`);
    }
    const before = this.views.readAll("entity", id);
    const next = this.nextRow(id, keys, row);
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
    const { id, keys, row } = this.resolveExisting(target);
    const before = this.views.readAll("entity", id);
    const next = this.nextRow(id, keys, row);
    const entity = this.views.protoEntity(next, []);
    this.store.removeEntity("entity", id);
    this.announce("entity", "deleteEntity", next, keys, entity, before);
    return this.receipt(next);
  }

  /** Runs many writes in one SQLite transaction: use it for bursts. */
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
    const id = this.idOf(target);
    const row = this.store.getEntity("entity", id);
    return row === undefined ? undefined : this.views.decode("entity", row);
  }

  /** Canonical member values of one model of an entity (decoded leaf values, no Ty wrappers). */
  modelValues(target: EntityTarget, tag: string): ModelValues | undefined {
    return this.store.readModel(tag, this.idOf(target));
  }

  /** Live entity ids (padded hex) holding `tag`, in id order. */
  idsWith(tag: string, limit = -1, offset = 0): string[] {
    if (!this.byTag.has(tag)) throw new FakeToriiError("FAKE_TORII_UNKNOWN_MODEL", `no model ${JSON.stringify(tag)}`);
    const table = `"${tag.replaceAll('"', '""')}"`;
    const rows = this.store.db.prepare(`SELECT internal_id AS id FROM ${table} ORDER BY internal_id LIMIT ? OFFSET ?`).all(limit, offset);
    return (rows as { id: string }[]).map((r) => r.id);
  }

  counts(): WorldCounts {
    const models: Record<string, number> = {};
    for (const tag of this.byTag.keys()) {
      models[tag] = (this.store.db.prepare(`SELECT COUNT(*) AS n FROM "${tag}"`).get() as { n: number }).n;
    }
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
    const { id, keys, row } = this.resolve(kind, target, model, members);
    const values: Record<string, Value> = keyValues(model, keys, tag);
    for (const name of Object.keys(members)) {
      if (!model.members.some((m) => m.name === name)) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag} has no member ${JSON.stringify(name)}`);
    }
    for (const m of model.members) {
      if (m.key === true) continue;
      if (!(m.name in members)) throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag}.${m.name}: missing (setModel writes every member)`);
      values[m.name] = normalizeValue(m.type, members[m.name], `${tag}.${m.name}`);
    }
    const next = this.nextRow(id, keys, row);
    const entity = this.views.protoEntity(next, [toProtoStruct(tag, model.members, values)]);
    assertWireEntity(entity, `${kind === "event" ? "emitEvent" : "setModel"}(${tag})`);
    this.store.putEntity(kind, next);
    this.store.writeModel(kind, tag, next, values);
    this.announce(kind, "set", next, keys, entity, undefined);
    return this.receipt(next);
  }

  private requireModel(tag: string, kind: EntityKind): ModelDef {
    const model = this.byTag.get(tag);
    if (model === undefined) throw new FakeToriiError("FAKE_TORII_UNKNOWN_MODEL", `no model ${JSON.stringify(tag)} (known: ${[...this.byTag.keys()].join(", ")})`);
    if ((model.kind === "event") !== (kind === "event")) {
      throw new FakeToriiError("FAKE_TORII_UNKNOWN_MODEL", `${tag} is ${model.kind === "event" ? "an event model: use emitEvent" : "not an event model: use setModel"}`);
    }
    return model;
  }

  private idOf(target: EntityTarget): string {
    if (typeof target === "string") return padHex(toKeyFelt(target, "entity id"));
    return entityIdFromKeys(target.keys.map((k) => toKeyFelt(k, "key")));
  }

  private resolve(kind: EntityKind, target: EntityTarget, model: ModelDef, members: MembersInput): { id: string; keys: bigint[]; row: EntityRow | undefined } {
    const tag = modelTag(model);
    const fromMembers = keysFromMembers(model, members, tag);
    if (typeof target !== "string") {
      const keys = target.keys.map((k) => toKeyFelt(k, `${tag} key`));
      if (fromMembers !== undefined && fromMembers.join() !== keys.join()) {
        throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag}: key members disagree with the target keys`);
      }
      const id = entityIdFromKeys(keys);
      return { id, keys, row: this.store.getEntity(kind, id) };
    }
    const id = padHex(toKeyFelt(target, "entity id"));
    const row = this.store.getEntity(kind, id);
    if (row !== undefined) return { id, keys: keysFromText(row.keys), row };
    if (fromMembers === undefined || entityIdFromKeys(fromMembers) !== id) {
      throw new FakeToriiError("FAKE_TORII_UNKNOWN_ENTITY", `${id} does not exist: target it by { keys } or pass its key members`);
    }
    return { id, keys: fromMembers, row };
  }

  private resolveExisting(target: EntityTarget): { id: string; keys: bigint[]; row: EntityRow } {
    const id = this.idOf(target);
    const row = this.store.getEntity("entity", id);
    if (row === undefined) throw new FakeToriiError("FAKE_TORII_UNKNOWN_ENTITY", `entity ${id} does not exist`);
    return { id, keys: keysFromText(row.keys), row };
  }

  private nextRow(id: string, keys: readonly bigint[], previous: EntityRow | undefined): EntityRow {
    const updatedAt = this.timestamp + this.lag;
    const index = this.eventIndex;
    this.eventIndex += 1;
    const txHash = padHex((BigInt(this.block) * 0x9e3779b97f4a7c15n + BigInt(index) * 0x100000001b3n) % 2n ** 250n);
    // Torii's event_id: "{block:#064x}:{tx_hash}:{contract}:{event_idx:#04x}" (Rust's #064x pads to 64 chars incl. 0x).
    const eventId = `0x${this.block.toString(16).padStart(62, "0")}:${txHash}:${this.worldAddress}:0x${index.toString(16).padStart(2, "0")}`;
    return { id, keys: keysToText(keys), eventId, executedAt: this.timestamp, createdAt: previous?.createdAt ?? updatedAt, updatedAt };
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
    return { entityId: row.id, eventId: row.eventId, block: this.block, executedAt: row.executedAt, updatedAt: row.updatedAt };
  }
}
