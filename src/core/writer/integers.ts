import { SyncError } from "../errors";

/** The range of a Cairo integer type, as bigints (for parsed values) and as the decimal text of each end (for fast checks). */
interface IntegerBounds {
  readonly min: bigint;
  readonly max: bigint;
  /** `max` in decimal, no sign. */
  readonly maxDecimal: string;
  /** `-min` in decimal, no sign ("0" for unsigned types). */
  readonly minDecimal: string;
  readonly maxNumber: number;
  readonly minNumber: number;
}

/** The felt field prime: felts, class hashes and contract addresses are below it. */
const FELT_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n;

/**
 * Bit width and signedness of Cairo integer types, for range checks. Felts and addresses are bounded by their field.
 * A plain object, not a Map: it is read for every integer and measured faster; `boundsOf` only reads own properties.
 */
const INTEGER_BOUNDS: Readonly<Record<string, IntegerBounds>> = (() => {
  const bounds: Record<string, IntegerBounds> = {};
  const define = (names: readonly string[], min: bigint, max: bigint): void => {
    const entry = { min, max, maxDecimal: max.toString(), minDecimal: (-min).toString(), maxNumber: Number(max), minNumber: Number(min) };
    for (const name of names) bounds[name] = entry;
  };
  for (const bits of [8, 16, 32, 64, 128, 256]) {
    define([`u${bits}`], 0n, 2n ** BigInt(bits) - 1n);
    if (bits <= 128) define([`i${bits}`], -(2n ** BigInt(bits - 1)), 2n ** BigInt(bits - 1) - 1n);
  }
  define(["usize"], 0n, 2n ** 32n - 1n);
  define(["felt252", "ClassHash", "ContractAddress", "classhash", "contractaddress"], 0n, FELT_PRIME - 1n);
  define(["EthAddress", "etheraddress"], 0n, 2n ** 160n - 1n);
  return bounds;
})();

function boundsOf(typeName: string): IntegerBounds | undefined {
  const bounds = INTEGER_BOUNDS[typeName];
  return bounds !== undefined && Object.hasOwn(INTEGER_BOUNDS, typeName) ? bounds : undefined;
}

const DECIMAL = /^-?\d{1,100}$/;
const HEX = /^-?0x[0-9a-fA-F]{1,80}$/;

/**
 * Read an integer into a JS number, the way a `Number` field stores it. Valid integers wider than 2^53 become the
 * nearest double (the caller notes the precision loss: the result is then not a safe integer); values outside their
 * Cairo type throw SYNC_VALUE_OUT_OF_RANGE, anything that is not an integer throws SYNC_BAD_VALUE.
 *
 * The client sends u64/i64/u128 as decimal text: those are checked and converted without a BigInt (`Number(text)` is
 * correctly rounded, and the range check compares digits), which is most of the cost of a u64 member.
 */
export function integerToNumber(raw: unknown, typeName: string, where: string): number {
  if (typeof raw === "number") {
    const bounds = boundsOf(typeName);
    // The grpc client hands a u64 over as `Number(u64)`: past 2^53 already the nearest double, kept as that (the
    // caller notes the loss, as for decimal text). Fractions, NaN and ±Infinity are never integers.
    if (!Number.isSafeInteger(raw) && (bounds === undefined || !Number.isInteger(raw))) throw notExact(raw, typeName, where);
    if (bounds !== undefined && (raw < bounds.minNumber || raw > bounds.maxNumber)) throw outOfRange(String(raw), typeName, where);
    return raw === 0 ? 0 : raw; // never -0
  }
  if (typeof raw === "string") {
    // Fast path, most u64 values: up to 16 unsigned digits. Number(text) is exact to 2^53 and correctly rounded past it.
    if (raw.length <= 16 && isShortUnsigned(raw)) {
      const bounds = boundsOf(typeName);
      if (bounds !== undefined && raw.length >= bounds.maxDecimal.length && compareDigits(raw, 0, bounds.maxDecimal) > 0) throw outOfRange(raw, typeName, where);
      return Number(raw);
    }
    if (DECIMAL.test(raw)) {
      checkDecimalRange(raw, typeName, where);
      const value = Number(raw);
      return value === 0 ? 0 : value; // never -0
    }
  }
  return Number(parseInteger(raw, typeName, where));
}

/**
 * Parse an integer the way the Torii clients encode them (numbers, decimal strings, hex strings) into a bigint. A
 * number past 2^53 (the grpc client's `Number(u64)`) is taken at its value, already rounded: the caller notes the loss.
 */
export function parseInteger(raw: unknown, typeName: string, where: string): bigint {
  if (typeof raw === "string") {
    if (DECIMAL.test(raw)) {
      checkDecimalRange(raw, typeName, where);
      return BigInt(raw);
    }
    if (HEX.test(raw)) return checkRange(raw.charCodeAt(0) === 45 ? -BigInt(raw.slice(1)) : BigInt(raw), typeName, where);
  } else if (typeof raw === "number") {
    const bounds = boundsOf(typeName);
    const safe = Number.isSafeInteger(raw);
    if (!safe && (bounds === undefined || !Number.isInteger(raw))) throw notExact(raw, typeName, where);
    if (bounds === undefined) return BigInt(raw);
    if (raw < bounds.minNumber || raw > bounds.maxNumber) throw outOfRange(String(raw), typeName, where);
    if (safe) return BigInt(raw);
    // `Number(u64)` from the grpc client: the value it carries. Number(max) rounds up past the type (2^64 for u64),
    // and whatever rounded to that double was nearest to max: it stands for max.
    const value = BigInt(raw);
    return value > bounds.max ? bounds.max : value;
  } else if (typeof raw === "bigint") {
    return checkRange(raw, typeName, where);
  }
  throw new SyncError("SYNC_BAD_VALUE", `${where}: expected an integer for ${typeName}, got ${describeValue(raw)}.`);
}

/** Types the Torii client already decodes to JS numbers: they convert to `number` in generic (`Type.T`) values. */
export function isSmallInteger(typeName: string): boolean {
  return /^[ui](8|16|32)$/.test(typeName) || typeName === "usize";
}

export function isIntegerType(typeName: string): boolean {
  return Object.hasOwn(INTEGER_BOUNDS, typeName);
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${String(value)}`;
  return Array.isArray(value) ? "an array" : typeof value;
}

/** `[0-9]+` for a short string, by char codes: cheaper than a regular expression on the hottest path. */
function isShortUnsigned(raw: string): boolean {
  const length = raw.length;
  if (length === 0) return false;
  for (let i = 0; i < length; i += 1) {
    const code = raw.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Range check on decimal text, by comparing digits: no BigInt for the common case. */
function checkDecimalRange(raw: string, typeName: string, where: string): void {
  const bounds = boundsOf(typeName);
  if (bounds === undefined) return;
  const negative = raw.charCodeAt(0) === 45;
  const limit = negative ? bounds.minDecimal : bounds.maxDecimal;
  if (compareDigits(raw, negative ? 1 : 0, limit) > 0) throw outOfRange(raw, typeName, where);
}

/** Compare the unsigned decimal digits of `raw` from `start` with `limit` (no leading zeros): <0, 0 or >0. */
function compareDigits(raw: string, start: number, limit: string): number {
  let from = start;
  while (from < raw.length - 1 && raw.charCodeAt(from) === 48) from += 1;
  const length = raw.length - from;
  if (length !== limit.length) return length - limit.length;
  for (let i = 0; i < length; i += 1) {
    const difference = raw.charCodeAt(from + i) - limit.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return 0;
}

function checkRange(value: bigint, typeName: string, where: string): bigint {
  const bounds = boundsOf(typeName);
  if (bounds !== undefined && (value < bounds.min || value > bounds.max)) throw outOfRange(value.toString(), typeName, where);
  return value;
}

function outOfRange(text: string, typeName: string, where: string): SyncError {
  return new SyncError("SYNC_VALUE_OUT_OF_RANGE", `${where}: ${text} does not fit ${typeName}.`);
}

function notExact(raw: number, typeName: string, where: string): SyncError {
  return new SyncError("SYNC_BAD_VALUE", `${where}: ${raw} is not an exact integer for ${typeName}.`);
}
