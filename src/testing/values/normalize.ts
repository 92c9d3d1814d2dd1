import { FakeToriiError } from "../errors";
import { FELT_PRIME, padHex, parseBigInt } from "../protocol/felt";
import { isOptionEnum } from "../schema/types";
import type { EnumDef, PrimitiveName, StructDef, TypeDef, Value } from "../schema/types";

/**
 * What tests may pass to the write API: numbers, bigints, decimal or hex strings for numeric types;
 * an option name or `{ option, value }` for enums; for `Option<T>` also `null` (None) or a bare T (Some).
 */
export type ValueInput =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | { readonly option: string; readonly value?: ValueInput }
  | { readonly [member: string]: ValueInput };

interface IntRange {
  readonly min: bigint;
  readonly max: bigint;
}

const INT_RANGES: Partial<Record<PrimitiveName, IntRange>> = {
  u8: { min: 0n, max: 2n ** 8n - 1n },
  u16: { min: 0n, max: 2n ** 16n - 1n },
  u32: { min: 0n, max: 2n ** 32n - 1n },
  u64: { min: 0n, max: 2n ** 64n - 1n },
  u128: { min: 0n, max: 2n ** 128n - 1n },
  u256: { min: 0n, max: 2n ** 256n - 1n },
  i8: { min: -(2n ** 7n), max: 2n ** 7n - 1n },
  i16: { min: -(2n ** 15n), max: 2n ** 15n - 1n },
  i32: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  i64: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
  i128: { min: -(2n ** 127n), max: 2n ** 127n - 1n },
  felt252: { min: 0n, max: FELT_PRIME - 1n },
  ClassHash: { min: 0n, max: FELT_PRIME - 1n },
  ContractAddress: { min: 0n, max: FELT_PRIME - 1n },
  EthAddress: { min: 0n, max: 2n ** 160n - 1n },
};

function bad(path: string, message: string): never {
  throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${path}: ${message}`);
}

function describe(input: unknown): string {
  if (typeof input === "bigint") return `${input}n`;
  try {
    return JSON.stringify(input) ?? String(input);
  } catch {
    return String(input);
  }
}

function isRecord(input: unknown): input is Readonly<Record<string, ValueInput>> {
  return typeof input === "object" && input !== null && !Array.isArray(input);
}

function normalizePrimitive(name: PrimitiveName, input: ValueInput, path: string): Value {
  if (name === "bool") {
    if (typeof input !== "boolean") bad(path, `bool wants true or false, got ${describe(input)}`);
    return input;
  }
  const range = INT_RANGES[name];
  if (range === undefined) bad(path, `unsupported primitive ${name}`);
  const value = parseBigInt(input);
  if (value === undefined) bad(path, `${name} wants a number, bigint or numeric string, got ${describe(input)}`);
  // Out-of-range values are refused: the wasm client would silently truncate a u8 300 to 44 or reduce a felt mod p.
  if (value < range.min || value > range.max) bad(path, `${name} value ${value} is out of range [${range.min}, ${range.max}]`);
  switch (name) {
    case "u8":
    case "u16":
    case "u32":
    case "i8":
    case "i16":
    case "i32":
      return Number(value);
    case "u64":
    case "u128":
    case "i64":
    case "i128":
      return value.toString(10);
    case "EthAddress":
      return padHex(value, 40);
    default:
      return padHex(value);
  }
}

function normalizeEnum(type: EnumDef, input: ValueInput, path: string): Value {
  let option: string;
  let payload: ValueInput;
  if (isOptionEnum(type) && (input === null || input === undefined)) {
    option = "None";
    payload = undefined;
  } else if (typeof input === "string" && type.options.some((o) => o.name === input)) {
    option = input;
    payload = undefined;
  } else if (isRecord(input) && typeof input["option"] === "string" && Object.keys(input).every((k) => k === "option" || k === "value")) {
    option = input["option"];
    payload = input["value"];
  } else if (isOptionEnum(type)) {
    option = "Some";
    payload = input;
  } else {
    return bad(path, `${type.name} wants an option name or { option, value }, got ${describe(input)}`);
  }
  const def = type.options.find((o) => o.name === option);
  if (def === undefined) bad(path, `${type.name} has no option ${JSON.stringify(option)} (options: ${type.options.map((o) => o.name).join(", ")})`);
  if (def.type === undefined) {
    if (payload !== undefined && payload !== null) bad(path, `${type.name}::${option} is a unit variant and takes no value`);
    return { option, value: null };
  }
  return { option, value: normalizeValue(def.type, payload, `${path}.${option}`) };
}

function normalizeStruct(type: StructDef, input: ValueInput, path: string): Value {
  if (!isRecord(input)) bad(path, `struct ${type.name} wants an object, got ${describe(input)}`);
  const record: Readonly<Record<string, ValueInput>> = input;
  for (const key of Object.keys(record)) {
    if (!type.members.some((m) => m.name === key)) bad(path, `struct ${type.name} has no member ${JSON.stringify(key)}`);
  }
  const out: Record<string, Value> = {};
  for (const m of type.members) {
    if (!(m.name in record)) bad(`${path}.${m.name}`, `missing (struct ${type.name} needs every member)`);
    out[m.name] = normalizeValue(m.type, record[m.name], `${path}.${m.name}`);
  }
  return out;
}

/** Checks `input` against `type` and returns it in the canonical (client-decoded) form; throws FAKE_TORII_BAD_VALUE. */
export function normalizeValue(type: TypeDef, input: ValueInput, path: string): Value {
  switch (type.kind) {
    case "primitive":
      return normalizePrimitive(type.name, input, path);
    case "bytearray":
      if (typeof input !== "string") bad(path, `ByteArray wants a string, got ${describe(input)}`);
      return input;
    case "enum":
      return normalizeEnum(type, input, path);
    case "struct":
      return normalizeStruct(type, input, path);
  }
}

/** The zero value of a type: used for the payloads of enum options that are not selected. */
export function defaultValue(type: TypeDef): Value {
  switch (type.kind) {
    case "primitive":
      return normalizePrimitive(type.name, type.name === "bool" ? false : 0, "default");
    case "bytearray":
      return "";
    case "enum": {
      const first = type.options[0];
      if (first === undefined) throw new FakeToriiError("FAKE_TORII_BAD_SCHEMA", `enum ${type.name} has no options`);
      return { option: first.name, value: first.type === undefined ? null : defaultValue(first.type) };
    }
    case "struct": {
      const out: Record<string, Value> = {};
      for (const m of type.members) out[m.name] = defaultValue(m.type);
      return out;
    }
  }
}
