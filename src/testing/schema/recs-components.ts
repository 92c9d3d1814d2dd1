import { defineComponent, Type as RecsType } from "@dojoengine/recs";
import type { Component, Schema, World } from "@dojoengine/recs";
import { BLITZ_MODELS } from "./blitz-models";
import { isOptionEnum } from "./types";
import type { MemberDef, ModelDef, TypeDef } from "./types";

/** The metadata Dojo's codegen puts on each generated component; a model matches a component by `namespace-name`. */
export interface DojoComponentMetadata {
  [key: string]: unknown;
  readonly namespace: string;
  readonly name: string;
  /** Leaf member types in declaration order, structs flattened, every enum as "enum". */
  readonly types: readonly string[];
  /** Struct and enum names in order of first appearance. */
  readonly customTypes: readonly string[];
}

export type DojoComponent = Component<Schema, DojoComponentMetadata>;

const NUMBER_TYPES = new Set(["u8", "u16", "u32", "i8", "i16", "i32"]);

function leafType(type: TypeDef): RecsType | Schema {
  switch (type.kind) {
    case "primitive":
      if (type.name === "bool") return RecsType.Boolean;
      return NUMBER_TYPES.has(type.name) ? RecsType.Number : RecsType.BigInt;
    case "bytearray":
      return RecsType.String;
    case "struct":
      return recsSchemaOf(type.members);
    case "enum": {
      if (!isOptionEnum(type)) return RecsType.String;
      const inner = type.options[0]?.type;
      const mapped = inner === undefined ? RecsType.String : leafType(inner);
      // Option<T> becomes the Optional variant of T, as the Dojo codegen and @dojoengine/state's convertValues expect.
      if (mapped === RecsType.Number) return RecsType.OptionalNumber;
      if (mapped === RecsType.BigInt) return RecsType.OptionalBigInt;
      if (mapped === RecsType.String) return RecsType.OptionalString;
      return mapped;
    }
  }
}

/** The RECS schema of a list of members: numbers for u8–u32, bigints for wider ints and felts, strings for enums. */
export function recsSchemaOf(members: readonly MemberDef[]): Schema {
  const schema: Schema = {};
  for (const m of members) schema[m.name] = leafType(m.type);
  return schema;
}

function collectTypes(members: readonly MemberDef[], types: string[], customTypes: string[]): void {
  for (const m of members) {
    const type = m.type;
    if (type.kind === "struct") {
      if (!customTypes.includes(type.name)) customTypes.push(type.name);
      collectTypes(type.members, types, customTypes);
    } else if (type.kind === "enum") {
      types.push("enum");
      if (!customTypes.includes(type.name)) customTypes.push(type.name);
    } else {
      types.push(type.kind === "bytearray" ? "ByteArray" : type.name);
    }
  }
}

export function dojoMetadataOf(model: ModelDef): DojoComponentMetadata {
  const types: string[] = [];
  const customTypes: string[] = [];
  collectTypes(model.members, types, customTypes);
  return { namespace: model.namespace, name: model.name, types, customTypes };
}

/** Defines one RECS component per model, keyed by model name, like a Dojo game's generated `contractComponents`. */
export function defineContractComponents(world: World, models: readonly ModelDef[]): Record<string, DojoComponent> {
  const components: Record<string, DojoComponent> = {};
  for (const model of models) {
    components[model.name] = defineComponent(world, recsSchemaOf(model.members), { metadata: dojoMetadataOf(model) });
  }
  return components;
}

export type BlitzComponentName = "Structure" | "Army" | "Tile" | "Production" | "ExplorerMoveEvent" | "BattleEvent";

/** The Blitz world's components (`Army`, `Structure`, `Tile`, `Production` and the two event models). */
export function defineBlitzComponents(world: World): Record<BlitzComponentName, DojoComponent> {
  return defineContractComponents(world, BLITZ_MODELS) as Record<BlitzComponentName, DojoComponent>;
}
