import { Type as RecsType, type Schema } from "@dojoengine/recs";
import { SyncError } from "../errors";
import type { ToriiValue } from "../types";
import { integerToNumber, parseInteger } from "./integers";
import { assertToriiValue, convertGeneric, isOption, isUnit, mismatch, readArray, readEnum, readOption } from "./torii-values";

export { FORBIDDEN_KEYS, isForbiddenKey } from "./torii-values";

/** A component field's type: a RECS type, or a nested schema (a struct; an array of schemas for a tuple). */
export type SchemaType = RecsType | Schema;

export interface ConversionNotes {
  /**
   * A valid integer was stored as the nearest double: wider than a Number field holds exactly, or (`rounded`) a JS
   * number the client had already rounded (the grpc client's u64), whose exact value never reached the SDK.
   */
  precisionLoss(where: string, raw: string, rounded?: boolean): void;
}

/**
 * The variant names of Cairo enums in declaration order, by the enum's type name as Torii sends it (`Direction`, not
 * the module path). Needed only for enums in `Number` fields: neither Torii client hands over the variant index.
 * From a TypeScript enum made by Dojo's bindgen: `{ Direction: Object.keys(Direction).filter((k) => Number.isNaN(Number(k))) }`.
 */
export type EnumVariantOrder = Readonly<Record<string, readonly string[]>>;

/**
 * Ranges of the integer types the client decodes to JS numbers, for the fast path. A literal object is the fastest
 * lookup here (a Map or a null-prototype object measured 1.5× slower); an inherited name such as "constructor" finds no
 * numeric range and falls through to the checked path.
 */
const SMALL_BOUNDS: Readonly<Record<string, readonly [number, number] | undefined>> = {
  u8: [0, 255],
  u16: [0, 65_535],
  u32: [0, 4_294_967_295],
  usize: [0, 4_294_967_295],
  i8: [-128, 127],
  i16: [-32_768, 32_767],
  i32: [-2_147_483_648, 2_147_483_647],
};

/** The non-optional type of each RECS type (indexed by the enum's number), and which are optional. */
const BASE_TYPE: readonly RecsType[] = (() => {
  const base: RecsType[] = [];
  for (const value of Object.values(RecsType)) if (typeof value === "number") base[value] = value;
  base[RecsType.OptionalNumber] = RecsType.Number;
  base[RecsType.OptionalBigInt] = RecsType.BigInt;
  base[RecsType.OptionalString] = RecsType.String;
  base[RecsType.OptionalNumberArray] = RecsType.NumberArray;
  base[RecsType.OptionalBigIntArray] = RecsType.BigIntArray;
  base[RecsType.OptionalStringArray] = RecsType.StringArray;
  base[RecsType.OptionalEntity] = RecsType.Entity;
  base[RecsType.OptionalEntityArray] = RecsType.EntityArray;
  base[RecsType.OptionalT] = RecsType.T;
  return base;
})();


/**
 * Convert one Torii value to what a RECS component field of `schemaType` stores, following Dojo's codegen conventions
 * (the full table is in docs/values.md). A valid Cairo value never fails: integers wider than a `Number` field become
 * the nearest double (reported through `notes.precisionLoss`, per conversion; `notesOncePerField` dedupes); enums become their variant name in `String` fields
 * and their index in `Number` fields (the name when `enumVariants` does not know the enum); `Option` None is
 * `undefined` in optional fields and `null` elsewhere (an `undefined` non-optional field would hide the component);
 * shapes a field's type cannot hold natively (a struct, bool or array in a `String` field) are stored as lossless JSON
 * text. Throws a SyncError only for malformed values: SYNC_BAD_PAYLOAD (not a Torii value), SYNC_BAD_VALUE (a shape
 * the field cannot take, or not an integer), SYNC_VALUE_OUT_OF_RANGE (outside its Cairo type), SYNC_FORBIDDEN_KEY.
 */
export function convertValue(schemaType: SchemaType, ty: ToriiValue, where: string, notes?: ConversionNotes, enumVariants?: EnumVariantOrder): unknown {
  // Only the top level of a stream value was checked on arrival: everything below is checked here, as it is read.
  assertToriiValue(ty, where);
  if (typeof schemaType === "object") return convertNested(schemaType, ty, where, notes, enumVariants);
  const base = BASE_TYPE[schemaType];
  if (base === undefined) throw new SyncError("SYNC_BAD_VALUE", `${where}: the component schema uses an unsupported RECS type ${String(schemaType)}.`);
  if (ty.type === "enum" && isOption(ty)) {
    const payload = readOption(ty, where);
    // RECS hides a component whose non-optional field is undefined: there, None is null.
    if (payload === undefined) return base === schemaType ? null : undefined;
    return convertValue(base, payload, where, notes, enumVariants);
  }
  switch (base) {
    case RecsType.Number: {
      // The common case without any parsing: the client sends u8–u32 as plain numbers.
      const value = ty.value;
      if (typeof value === "number") {
        const small = SMALL_BOUNDS[ty.type_name];
        if (small !== undefined && Number.isInteger(value) && value >= small[0] && value <= small[1]) return value === 0 ? 0 : value; // never -0
      }
      return toNumber(ty, where, notes, enumVariants);
    }
    case RecsType.BigInt:
      if (ty.type === "enum") {
        const index = enumIndex(ty, where, enumVariants);
        return typeof index === "number" ? BigInt(index) : index;
      }
      return toBigInt(ty, where, notes);
    case RecsType.String:
    case RecsType.Entity:
      // Options were unwrapped above: an enum here is stored as its variant name.
      if (ty.type === "enum") return readEnum(ty, where).option;
      return toText(ty, where);
    case RecsType.Boolean:
      if (typeof ty.value !== "boolean") throw mismatch(where, "a bool", ty);
      return ty.value;
    case RecsType.T:
      return convertGeneric(ty, where, 0);
    case RecsType.NumberArray:
      return convertArray(RecsType.Number, ty, where, notes, enumVariants);
    case RecsType.BigIntArray:
      return convertArray(RecsType.BigInt, ty, where, notes, enumVariants);
    case RecsType.StringArray:
      return convertArray(RecsType.String, ty, where, notes, enumVariants);
    case RecsType.EntityArray:
      return convertArray(RecsType.Entity, ty, where, notes, enumVariants);
    default:
      throw new SyncError("SYNC_BAD_VALUE", `${where}: the component schema uses an unsupported RECS type ${String(schemaType)}.`);
  }
}

/**
 * Wrap notes so each field reports its precision loss once (array elements count as their field): the lead's metrics
 * and logs want "this field loses precision", not one line per entity.
 */
export function notesOncePerField(report: (where: string, raw: string, rounded?: boolean) => void): ConversionNotes {
  const seen = new Set<string>();
  return {
    precisionLoss(where, raw, rounded) {
      const field = where.replace(/\[\d+\]/g, "[]");
      if (seen.has(field)) return;
      seen.add(field);
      report(field, raw, rounded);
    },
  };
}

/** A `Number` field past the u8–u32 fast path: integers (the nearest double past 2^53), or an enum's variant index. */
function toNumber(ty: ToriiValue, where: string, notes: ConversionNotes | undefined, enumVariants: EnumVariantOrder | undefined): number | string {
  const value = ty.value;
  if (ty.type === "enum") return enumIndex(ty, where, enumVariants);
  if (ty.type !== "primitive") throw mismatch(where, "an integer", ty);
  const converted = integerToNumber(value, ty.type_name, where);
  if (!Number.isSafeInteger(converted)) notes?.precisionLoss(where, String(value), typeof value === "number");
  return converted;
}

/** A `BigInt` field: exact, unless the client already rounded the integer into a JS number (the grpc client's u64). */
function toBigInt(ty: ToriiValue, where: string, notes: ConversionNotes | undefined): bigint {
  const value = ty.value;
  const parsed = parseInteger(value, ty.type_name, where);
  if (typeof value === "number" && !Number.isSafeInteger(value)) notes?.precisionLoss(where, String(value), true);
  return parsed;
}

/**
 * An enum in a `Number` field (the older generator's enum-as-index convention): its variant index. Torii's clients send
 * only the variant name, so the index needs the declaration order; without it the name is stored, as
 * @dojoengine/state's `convertValues` does, so the component stays visible and nothing is lost. A variant the known
 * order lacks throws SYNC_BAD_VALUE: its index is unknowable, and a name in a Number field breaks every reader of it.
 */
function enumIndex(ty: ToriiValue, where: string, enumVariants: EnumVariantOrder | undefined): number | string {
  const { option } = readEnum(ty, where);
  const order = enumVariants !== undefined && Object.hasOwn(enumVariants, ty.type_name) ? enumVariants[ty.type_name] : undefined;
  if (order === undefined) return option;
  const index = order.indexOf(option);
  if (index < 0) throw new SyncError("SYNC_BAD_VALUE", `${where}: ${ty.type_name} has no variant ${JSON.stringify(option.slice(0, 60))} in the enumVariants order given (${order.slice(0, 20).join(", ")}); add it there if the contract gained it.`);
  return index;
}

/** A `String` field: text as sent, an enum's variant name, and lossless JSON text for every other shape. */
function toText(ty: ToriiValue, where: string): string {
  const value = ty.value;
  switch (ty.type) {
    case "primitive":
      if (typeof value === "string") return value;
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      if (typeof value === "boolean") return value ? "true" : "false";
      throw mismatch(where, "a string", ty);
    case "bytearray":
      if (typeof value !== "string") throw mismatch(where, "a string", ty);
      return value;
    case "enum":
      if (isOption(ty)) {
        const payload = readOption(ty, where);
        return payload === undefined ? "null" : toText(payload, where);
      }
      return readEnum(ty, where).option;
    default:
      return losslessText(ty, where);
  }
}

/** JSON of the value's generic form (see `convertGeneric`), with bigints as decimal strings. */
function losslessText(ty: ToriiValue, where: string): string {
  return JSON.stringify(convertGeneric(ty, where, 0), (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner));
}

/** `NumberArray`, `BigIntArray`, `StringArray`, `EntityArray`: each element as its field kind would store it. */
function convertArray(element: RecsType, ty: ToriiValue, where: string, notes: ConversionNotes | undefined, enumVariants: EnumVariantOrder | undefined): unknown[] {
  const items = readArray(ty, where);
  const result: unknown[] = new Array(items.length);
  for (let index = 0; index < items.length; index += 1) {
    result[index] = convertValue(element, items[index] as ToriiValue, `${where}[${index}]`, notes, enumVariants);
  }
  return result;
}

/** A nested schema: a struct (object schema), a tuple (array schema), or an enum as bindgen's `{ type, value }` definition. */
function convertNested(schema: Schema, ty: ToriiValue, where: string, notes: ConversionNotes | undefined, enumVariants: EnumVariantOrder | undefined): unknown {
  const value = ty.value;
  if (ty.type === "struct" && value !== null && typeof value === "object" && !Array.isArray(schema) && !Array.isArray(value)) {
    const children = value as Record<string, ToriiValue>;
    const result: Record<string, unknown> = {};
    for (const field in schema) {
      if (!Object.hasOwn(children, field)) throw new SyncError("SYNC_BAD_VALUE", `${where}: the struct lacks member "${field}".`);
      result[field] = convertValue(schema[field] as SchemaType, children[field] as ToriiValue, `${where}.${field}`, notes, enumVariants);
    }
    return result;
  }
  if (ty.type === "enum") {
    if (isOption(ty)) {
      const payload = readOption(ty, where);
      return payload === undefined ? null : convertValue(schema, payload, where, notes, enumVariants);
    }
    if (Object.hasOwn(schema, "type")) {
      // dojo-bindgen's recs plugin describes an enum inside a struct as `{ type: RecsType.String, value: RecsType.String }`.
      const { option, payload } = readEnum(ty, where);
      const valueType = schema.value;
      if (valueType === undefined || isUnit(payload)) return { type: option };
      return { type: option, value: convertValue(valueType, payload, `${where}.${option}`, notes, enumVariants) };
    }
  }
  if (Array.isArray(schema)) {
    const items = readArray(ty, where);
    const elements = schema as readonly SchemaType[];
    // `[A, B]` is a tuple (the older generator); `[S]` an array of S, as @dojoengine/state reads it.
    const elementOf = (index: number): SchemaType => (elements.length === items.length ? elements[index] : elements[0]) as SchemaType;
    if (elements.length !== items.length && elements.length !== 1) throw mismatch(where, `a tuple of ${elements.length}`, ty);
    return items.map((item, index) => convertValue(elementOf(index), item, `${where}[${index}]`, notes, enumVariants));
  }
  throw mismatch(where, "a struct", ty);
}
