import { Type as RecsType, type Schema } from "@dojoengine/recs";
import { SyncError } from "../errors";
import type { ToriiValue } from "../types";
import { describeValue, isIntegerType, isSmallInteger, parseInteger } from "./integers";

type SchemaType = RecsType | Schema;

/** Ranges of the integer types the client decodes to JS numbers, for the fast path. */
const SMALL_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  u8: [0, 255],
  u16: [0, 65_535],
  u32: [0, 4_294_967_295],
  usize: [0, 4_294_967_295],
  i8: [-128, 127],
  i16: [-32_768, 32_767],
  i32: [-2_147_483_648, 2_147_483_647],
};

/** Names that could reach an object's prototype if used as keys. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const OPTIONAL_TO_BASE: ReadonlyMap<RecsType, RecsType> = new Map([
  [RecsType.OptionalNumber, RecsType.Number],
  [RecsType.OptionalBigInt, RecsType.BigInt],
  [RecsType.OptionalString, RecsType.String],
  [RecsType.OptionalNumberArray, RecsType.NumberArray],
  [RecsType.OptionalBigIntArray, RecsType.BigIntArray],
  [RecsType.OptionalStringArray, RecsType.StringArray],
  [RecsType.OptionalEntity, RecsType.Entity],
  [RecsType.OptionalEntityArray, RecsType.EntityArray],
  [RecsType.OptionalT, RecsType.T],
]);

const ARRAY_TO_ELEMENT: ReadonlyMap<RecsType, RecsType> = new Map([
  [RecsType.NumberArray, RecsType.Number],
  [RecsType.BigIntArray, RecsType.BigInt],
  [RecsType.StringArray, RecsType.String],
  [RecsType.EntityArray, RecsType.Entity],
]);

/**
 * Convert one Torii value to what a RECS component of `schemaType` stores: numbers for `Number`, bigints for `BigInt`
 * (u64 and wider, felts, u256), enum option names for `String`, `{ option, value }` with its payload for `T`, `null`
 * for Option `None`, nested objects for nested schemas. Throws a SyncError with a code on any mismatch.
 */
export function convertValue(schemaType: SchemaType, ty: ToriiValue, where: string): unknown {
  // Only the top level of a stream value was checked on arrival: everything below is checked here, as it is read.
  if (ty === null || typeof ty !== "object" || typeof ty.type !== "string" || typeof ty.type_name !== "string") {
    throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: expected a Torii value { type, type_name, value }, got ${describeValue(ty)}.`);
  }
  if (typeof schemaType === "object") return convertStruct(schemaType, ty, where);
  if (ty.type === "enum" && ty.type_name.startsWith("Option")) {
    const { option, payload } = readEnum(ty, where);
    if (option === "None") return null;
    return convertValue(OPTIONAL_TO_BASE.get(schemaType) ?? schemaType, payload, `${where}.Some`);
  }
  const base = OPTIONAL_TO_BASE.get(schemaType) ?? schemaType;
  switch (base) {
    case RecsType.Boolean:
      if (typeof ty.value !== "boolean") throw mismatch(where, "a bool", ty);
      return ty.value;
    case RecsType.Number: {
      if (ty.type === "enum") throw mismatch(where, "a number (the schema says Number but Torii sent an enum)", ty);
      // The common case without a BigInt round trip: the client sends u8–u32 as plain numbers.
      if (typeof ty.value === "number") {
        const small = SMALL_BOUNDS[ty.type_name];
        if (small !== undefined && Number.isInteger(ty.value) && ty.value >= small[0] && ty.value <= small[1]) return ty.value;
      }
      const parsed = parseInteger(ty.value, ty.type_name, where);
      if (parsed > BigInt(Number.MAX_SAFE_INTEGER) || parsed < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new SyncError("SYNC_VALUE_OUT_OF_RANGE", `${where}: ${parsed} is too large for a Number field; declare it BigInt.`);
      }
      return Number(parsed);
    }
    case RecsType.BigInt:
      return parseInteger(ty.value, ty.type_name, where);
    case RecsType.String:
    case RecsType.Entity:
      if (ty.type === "enum") return readEnum(ty, where).option;
      if (typeof ty.value === "string") return ty.value;
      if (typeof ty.value === "number" && Number.isFinite(ty.value)) return String(ty.value);
      throw mismatch(where, "a string", ty);
    case RecsType.T:
      return convertGeneric(ty, where, 0);
    default: {
      const element = ARRAY_TO_ELEMENT.get(base);
      if (element === undefined) throw new SyncError("SYNC_BAD_VALUE", `${where}: the component schema uses an unsupported RECS type ${String(base)}.`);
      return readArray(ty, where).map((item, index) => convertValue(element, item, `${where}[${index}]`));
    }
  }
}

function convertStruct(schema: Schema, ty: ToriiValue, where: string): Record<string, unknown> {
  if (ty.type !== "struct" || ty.value === null || typeof ty.value !== "object") throw mismatch(where, "a struct", ty);
  const children = ty.value as Record<string, ToriiValue>;
  const result: Record<string, unknown> = {};
  for (const field of Object.keys(schema)) {
    if (!Object.hasOwn(children, field)) throw new SyncError("SYNC_BAD_VALUE", `${where}: the struct lacks member "${field}".`);
    const fieldType = schema[field] as SchemaType;
    result[field] = convertValue(fieldType, children[field] as ToriiValue, `${where}.${field}`);
  }
  return result;
}

/** For `Type.T`: the shape follows the value, since the schema says nothing. */
function convertGeneric(ty: ToriiValue, where: string, depth: number): unknown {
  if (depth > 32) throw new SyncError("SYNC_BAD_VALUE", `${where}: value nested deeper than 32 levels.`);
  if (ty === null || typeof ty !== "object" || typeof ty.type !== "string" || typeof ty.type_name !== "string") {
    throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: expected a Torii value { type, type_name, value }, got ${describeValue(ty)}.`);
  }
  switch (ty.type) {
    case "primitive":
      if (typeof ty.value === "boolean" || ty.value === null) return ty.value;
      if (isIntegerType(ty.type_name)) {
        const parsed = parseInteger(ty.value, ty.type_name, where);
        return isSmallInteger(ty.type_name) ? Number(parsed) : parsed;
      }
      return ty.value;
    case "bytearray":
      if (typeof ty.value !== "string") throw mismatch(where, "a string", ty);
      return ty.value;
    case "enum": {
      const { option, payload } = readEnum(ty, where);
      if (ty.type_name.startsWith("Option")) return option === "None" ? null : convertGeneric(payload, `${where}.Some`, depth + 1);
      return { option, value: convertGeneric(payload, `${where}.${option}`, depth + 1) };
    }
    case "struct": {
      if (ty.value === null || typeof ty.value !== "object") throw mismatch(where, "a struct", ty);
      const result: Record<string, unknown> = {};
      if (Array.isArray(ty.value)) throw mismatch(where, "a struct", ty);
      for (const [name, child] of Object.entries(ty.value as Record<string, ToriiValue>)) {
        if (FORBIDDEN_KEYS.has(name)) throw new SyncError("SYNC_FORBIDDEN_KEY", `${where}: member name "${name}" is not allowed.`);
        result[name] = convertGeneric(child, `${where}.${name}`, depth + 1);
      }
      return result;
    }
    default:
      return readArray(ty, where).map((item, index) => convertGeneric(item, `${where}[${index}]`, depth + 1));
  }
}

function readEnum(ty: ToriiValue, where: string): { option: string; payload: ToriiValue } {
  const raw = ty.value as { option?: unknown; value?: unknown } | null;
  if (ty.type !== "enum" || raw === null || typeof raw !== "object" || typeof raw.option !== "string") throw mismatch(where, "an enum", ty);
  return { option: raw.option, payload: raw.value as ToriiValue };
}

function readArray(ty: ToriiValue, where: string): ToriiValue[] {
  if ((ty.type === "array" || ty.type === "tuple") && Array.isArray(ty.value)) return ty.value as ToriiValue[];
  if (ty.type === "fixed_size_array") {
    const raw = ty.value as { array?: unknown } | unknown[] | null;
    if (Array.isArray(raw)) return raw as ToriiValue[];
    if (raw !== null && typeof raw === "object" && Array.isArray(raw.array)) return raw.array as ToriiValue[];
  }
  throw mismatch(where, "an array", ty);
}

function mismatch(where: string, expected: string, ty: ToriiValue): SyncError {
  return new SyncError("SYNC_BAD_VALUE", `${where}: expected ${expected}, got ${ty.type} ${ty.type_name} ${describeValue(ty.value)}.`);
}
