import type { ProtoEntity } from "../protocol/codecs";
import { minimalHex, toBytes } from "../protocol/felt";
import type { ModelDef, ModelValues } from "../schema/types";
import type { EntityKind, EntityRow, WorldStore } from "../store/world-store";
import type { DecodedEntity } from "../values/to-decoded";
import { toDecodedModel } from "../values/to-decoded";
import { toProtoStruct } from "../values/to-proto";

/** Read-side views of stored entities: on the wire (protobuf) and as the wasm client decodes them. */
export class EntityViews {
  private readonly worldAddressBytes: Uint8Array;
  /** Entity ids as wire bytes: every write to an entity sends the same 32 bytes. Bounded; shared, never mutated. */
  private readonly idBytes = new Map<string, Uint8Array>();

  constructor(
    private readonly store: WorldStore,
    private readonly byTag: ReadonlyMap<string, ModelDef>,
    private readonly worldAddress: string,
  ) {
    this.worldAddressBytes = toBytes(BigInt(worldAddress), 32);
  }

  /** Every model of one entity, as canonical values. */
  readAll(kind: EntityKind, id: string): Record<string, ModelValues> {
    const out: Record<string, ModelValues> = {};
    for (const tag of this.store.modelsOf(kind, id)) {
      const values = this.store.readModel(tag, id);
      if (values !== undefined) out[tag] = values;
    }
    return out;
  }

  protoEntity(row: EntityRow, models: ProtoEntity["models"]): ProtoEntity {
    let hashedKeys = this.idBytes.get(row.id);
    if (hashedKeys === undefined) {
      if (this.idBytes.size >= 100_000) this.idBytes.clear();
      hashedKeys = toBytes(BigInt(row.id), 32);
      this.idBytes.set(row.id, hashedKeys);
    }
    return {
      hashed_keys: hashedKeys,
      models,
      created_at: BigInt(row.createdAt),
      updated_at: BigInt(row.updatedAt),
      executed_at: BigInt(row.executedAt),
      world_address: this.worldAddressBytes,
    };
  }

  /** An entity with its models (only `tags` when given) fully encoded; undefined when it holds none of `tags`. */
  snapshot(kind: EntityKind, row: EntityRow, tags?: readonly string[]): { entity: ProtoEntity; values: Record<string, ModelValues> } | undefined {
    const values = this.readAll(kind, row.id);
    const models: ProtoEntity["models"] = [];
    for (const [tag, modelValues] of Object.entries(values)) {
      const model = this.byTag.get(tag);
      if (model === undefined || (tags !== undefined && tags.length > 0 && !tags.includes(tag))) continue;
      models.push(toProtoStruct(tag, model.members, modelValues));
    }
    if (models.length === 0 && tags !== undefined && tags.length > 0) return undefined;
    return { entity: this.protoEntity(row, models), values };
  }

  decode(kind: EntityKind, row: EntityRow): DecodedEntity {
    const models: DecodedEntity["models"] = {};
    for (const [tag, values] of Object.entries(this.readAll(kind, row.id))) {
      const model = this.byTag.get(tag);
      if (model !== undefined) models[tag] = toDecodedModel(model.members, values, true);
    }
    return {
      world_address: minimalHex(BigInt(this.worldAddress)),
      hashed_keys: minimalHex(BigInt(row.id)),
      models,
      created_at: row.createdAt,
      updated_at: row.updatedAt,
      executed_at: row.executedAt,
    };
  }

  /** Every stored entity of `kind`, decoded, in id order. */
  decodeAll(kind: EntityKind): DecodedEntity[] {
    const out: DecodedEntity[] = [];
    let after: string | undefined;
    for (;;) {
      const rows = this.store.page(kind, after, false, 500);
      for (const row of rows) out.push(this.decode(kind, row));
      const last = rows[rows.length - 1];
      if (last === undefined) return out;
      after = last.id;
    }
  }
}
