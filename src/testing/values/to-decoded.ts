import type { EnumValue, MemberDef, TypeDef, Value } from "../schema/types";
import { typeName } from "../schema/types";

/** One member as the wasm client decodes it (`Ty` in @dojoengine/torii-wasm's typings). */
export interface DecodedTy {
  type: "primitive" | "struct" | "enum" | "tuple" | "bytearray";
  type_name: string;
  value: boolean | number | string | DecodedTy[] | Record<string, DecodedTy> | { option: string; value: DecodedTy };
  key: boolean;
}

/** A model as the client decodes it: member name → Ty. A deleted model decodes as `{}`. */
export type DecodedModel = Record<string, DecodedTy>;

/** An entity as the wasm client hands it to callbacks and pages (minimal hex ids, numeric timestamps). */
export interface DecodedEntity {
  world_address: string;
  hashed_keys: string;
  models: Record<string, DecodedModel>;
  created_at: number;
  updated_at: number;
  executed_at: number;
}

const UNIT: DecodedTy = { type: "tuple", type_name: "()", value: [], key: false };

/** Decodes a canonical value the way the wasm client does (nested members always have `key: false`). */
export function toDecodedTy(type: TypeDef, value: Value, key = false): DecodedTy {
  switch (type.kind) {
    case "primitive":
      return { type: "primitive", type_name: type.name, value: value as string | number | boolean, key };
    case "bytearray":
      return { type: "bytearray", type_name: "ByteArray", value: value as string, key };
    case "struct":
      return { type: "struct", type_name: type.name, value: toDecodedModel(type.members, value as Record<string, Value>), key };
    case "enum": {
      const selected = value as EnumValue;
      const option = type.options.find((o) => o.name === selected.option);
      const payload = option?.type === undefined ? UNIT : toDecodedTy(option.type, selected.value);
      return { type: "enum", type_name: typeName(type), value: { option: selected.option, value: payload }, key };
    }
  }
}

/** Decodes the members present in `values` (all for a full model, some for a member update). */
export function toDecodedModel(members: readonly MemberDef[], values: Readonly<Record<string, Value>>, topLevel = false): DecodedModel {
  const out: DecodedModel = {};
  for (const m of members) {
    const value = values[m.name];
    if (value === undefined) continue;
    out[m.name] = toDecodedTy(m.type, value, topLevel && m.key === true);
  }
  return out;
}
