import { SyncError } from "../errors";
import type { ToriiValue } from "../types";
import { describeValue, isIntegerType, isSmallInteger, parseInteger } from "./integers";

/** Names that could reach an object's prototype if used as keys. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** `FORBIDDEN_KEYS.has(name)` for the hottest path (every member of every message): three comparisons, no hashing. */
export function isForbiddenKey(name: string): boolean {
  return name === "__proto__" || name === "constructor" || name === "prototype";
}

const MAX_DEPTH = 32;

/**
 * For `Type.T` (and the JSON text form): the shape follows the value, since the schema says nothing. u8–u32 are numbers,
 * wider integers and felts bigints, enums `{ option, value }`, Option its payload or null, structs objects, arrays arrays.
 */
export function convertGeneric(ty: ToriiValue, where: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new SyncError("SYNC_BAD_VALUE", `${where}: value nested deeper than ${MAX_DEPTH} levels.`);
  assertToriiValue(ty, where);
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
      if (isOption(ty)) {
        const payload = readOption(ty, where);
        return payload === undefined ? null : convertGeneric(payload, where, depth + 1);
      }
      const { option, payload } = readEnum(ty, where);
      return { option, value: convertGeneric(payload, `${where}.${option}`, depth + 1) };
    }
    case "struct": {
      if (ty.value === null || typeof ty.value !== "object" || Array.isArray(ty.value)) throw mismatch(where, "a struct", ty);
      const result: Record<string, unknown> = {};
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

export function assertToriiValue(ty: ToriiValue, where: string): void {
  if (ty === null || typeof ty !== "object" || typeof ty.type !== "string" || typeof ty.type_name !== "string") {
    throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: expected a Torii value { type, type_name, value }, got ${describeValue(ty)}.`);
  }
}

/**
 * Cairo's `Option<T>`: Torii names it `Option<T>`. Known by its name alone: an Option whose variant is neither `Some`
 * nor `None` is malformed (readOption refuses it), never an ordinary enum whose variant name lands in a Number field.
 */
export function isOption(ty: ToriiValue): boolean {
  const name = ty.type_name;
  const first = name.charCodeAt(0);
  // Most enums are not Options: one character rules them out.
  if (first !== 79 /* O */ && first !== 99 /* c */) return false;
  return name === "Option" || name.startsWith("Option<") || name.startsWith("core::option::Option");
}

/** The payload of Some, or undefined for None; any other variant throws SYNC_BAD_VALUE. */
export function readOption(ty: ToriiValue, where: string): ToriiValue | undefined {
  const { option, payload } = readEnum(ty, where);
  if (option === "None") return undefined;
  if (option !== "Some") throw new SyncError("SYNC_BAD_VALUE", `${where}: ${ty.type_name} has only the variants Some and None, got ${JSON.stringify(option.slice(0, 60))}.`);
  assertToriiValue(payload, `${where}.Some`);
  return payload;
}

export function readEnum(ty: ToriiValue, where: string): { option: string; payload: ToriiValue } {
  const raw = ty.value as { option?: unknown; value?: unknown } | null;
  if (ty.type !== "enum" || raw === null || typeof raw !== "object" || typeof raw.option !== "string") throw mismatch(where, "an enum", ty);
  return { option: raw.option, payload: raw.value as ToriiValue };
}

/** The unit payload `()` of a variant without data. */
export function isUnit(payload: ToriiValue): boolean {
  return payload === null || payload === undefined || (payload.type === "tuple" && Array.isArray(payload.value) && payload.value.length === 0);
}

export function readArray(ty: ToriiValue, where: string): ToriiValue[] {
  if ((ty.type === "array" || ty.type === "tuple") && Array.isArray(ty.value)) return ty.value as ToriiValue[];
  if (ty.type === "fixed_size_array") {
    const raw = ty.value as { array?: unknown } | unknown[] | null;
    if (Array.isArray(raw)) return raw as ToriiValue[];
    if (raw !== null && typeof raw === "object" && Array.isArray(raw.array)) return raw.array as ToriiValue[];
  }
  throw mismatch(where, "an array", ty);
}

export function mismatch(where: string, expected: string, ty: ToriiValue): SyncError {
  return new SyncError("SYNC_BAD_VALUE", `${where}: expected ${expected}, got ${ty.type} ${ty.type_name} ${describeValue(ty.value)}.`);
}
