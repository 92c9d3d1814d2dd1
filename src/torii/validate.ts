import { SyncError } from "../core/errors";
import { FORBIDDEN_KEYS } from "../core/writer/convert";
import type { ToriiValue } from "../core/types";

const VALUE_KINDS: ReadonlySet<string> = new Set(["primitive", "struct", "enum", "array", "tuple", "bytearray", "fixed_size_array"]);
const MAX_DEPTH = 32;

/** `VALUE_KINDS.has(type)` for the hottest path: a switch on a few short strings, no hashing. */
function isValueKind(type: string): boolean {
  switch (type) {
    case "primitive":
    case "struct":
    case "enum":
    case "array":
    case "tuple":
    case "bytearray":
    case "fixed_size_array":
      return true;
    default:
      return false;
  }
}

/**
 * Check that a member value has the shape the Torii client decodes (`{ type, type_name, value, key }`, recursively).
 * The stream path checks only the top level (`validateMembers`) and leaves the depth to the writer, which walks every
 * value it converts anyway: most stream updates are compacted away before they are applied and never need it.
 */
export function validateToriiValue(raw: unknown, where: string, depth = 0): ToriiValue {
  if (depth > MAX_DEPTH) throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: value nested deeper than ${MAX_DEPTH} levels.`);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: a member must be a Torii value object { type, type_name, value }.`);
  }
  const ty = raw as { type?: unknown; type_name?: unknown; value?: unknown; key?: unknown };
  if (typeof ty.type !== "string" || !VALUE_KINDS.has(ty.type)) {
    throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: unknown value type ${JSON.stringify(ty.type)}.`);
  }
  if (typeof ty.type_name !== "string") throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: missing type_name.`);
  const next = depth + 1;
  switch (ty.type) {
    case "primitive":
      switch (typeof ty.value) {
        case "number":
        case "string":
        case "boolean":
        case "bigint":
          break;
        default:
          if (ty.value !== null) throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: a primitive holds a number, string or bool.`);
      }
      if (typeof ty.value === "number" && !Number.isFinite(ty.value)) throw new SyncError("SYNC_BAD_VALUE", `${where}: ${ty.value} is not a finite number.`);
      break;
    case "bytearray":
      if (typeof ty.value !== "string") throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: a bytearray holds a string.`);
      break;
    case "struct":
      validateMembers(ty.value, where, Math.max(1, next));
      break;
    case "enum": {
      const inner = ty.value as { option?: unknown; value?: unknown } | null;
      if (inner === null || typeof inner !== "object" || typeof inner.option !== "string") {
        throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: an enum holds { option, value }.`);
      }
      if (inner.value !== undefined && inner.value !== null) validateToriiValue(inner.value, `${where}.${inner.option}`, next);
      break;
    }
    default: {
      const items = Array.isArray(ty.value) ? ty.value : (ty.value as { array?: unknown } | null)?.array;
      if (!Array.isArray(items)) throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: an ${ty.type} holds a list.`);
      items.forEach((item, index) => validateToriiValue(item, `${where}[${index}]`, next));
    }
  }
  return raw as ToriiValue;
}

/**
 * Check the top level of an object of member values and return them as a Map, so no member name can reach a
 * prototype. Each member must look like a Torii value; its inside is checked by the writer when it is converted.
 */
export function validateMembers(raw: unknown, where: string, depth = 0): Map<string, ToriiValue> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: expected an object of members.`);
  const members = new Map<string, ToriiValue>();
  for (const name in raw) {
    if (!Object.hasOwn(raw, name)) continue;
    if (FORBIDDEN_KEYS.has(name)) throw new SyncError("SYNC_FORBIDDEN_KEY", `${where}: member name "${name}" is not allowed.`);
    const value = (raw as Record<string, unknown>)[name];
    members.set(name, depth === 0 ? checkShape(value, `${where}.${name}`) : validateToriiValue(value, `${where}.${name}`, depth));
  }
  return members;
}

/** Whether a member value looks like a Torii value at its top level; no string is built unless it does not. */
export function isToriiValueShape(raw: unknown): boolean {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return false;
  const ty = raw as { type?: unknown; type_name?: unknown };
  return typeof ty.type === "string" && isValueKind(ty.type) && typeof ty.type_name === "string";
}

export function checkShape(raw: unknown, where: string): ToriiValue {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: a member must be a Torii value object { type, type_name, value }.`);
  }
  const ty = raw as { type?: unknown; type_name?: unknown };
  if (typeof ty.type !== "string" || !VALUE_KINDS.has(ty.type)) throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: unknown value type ${JSON.stringify(ty.type)}.`);
  if (typeof ty.type_name !== "string") throw new SyncError("SYNC_BAD_PAYLOAD", `${where}: missing type_name.`);
  return raw as ToriiValue;
}
