import { SyncError } from "../errors";

/** Bit width and signedness of Cairo integer types, for range checks. Felts and addresses are bounded by their field. */
const INTEGER_BOUNDS: Readonly<Record<string, { readonly min: bigint; readonly max: bigint }>> = (() => {
  const bounds: Record<string, { min: bigint; max: bigint }> = Object.create(null) as Record<string, { min: bigint; max: bigint }>;
  for (const bits of [8, 16, 32, 64, 128, 256]) {
    bounds[`u${bits}`] = { min: 0n, max: 2n ** BigInt(bits) - 1n };
    if (bits <= 128) bounds[`i${bits}`] = { min: -(2n ** BigInt(bits - 1)), max: 2n ** BigInt(bits - 1) - 1n };
  }
  bounds.usize = { min: 0n, max: 2n ** 32n - 1n };
  const felt = { min: 0n, max: 2n ** 251n + 17n * 2n ** 192n };
  for (const name of ["felt252", "ClassHash", "ContractAddress", "classhash", "contractaddress"]) bounds[name] = felt;
  bounds.EthAddress = { min: 0n, max: 2n ** 160n - 1n };
  bounds.etheraddress = bounds.EthAddress;
  return bounds;
})();

const DECIMAL = /^-?\d{1,100}$/;
const HEX = /^-?0x[0-9a-fA-F]{1,80}$/;

/** Parse an integer the way the Torii client encodes them: numbers, decimal strings or hex strings. */
export function parseInteger(raw: unknown, typeName: string, where: string): bigint {
  let parsed: bigint;
  if (typeof raw === "bigint") parsed = raw;
  else if (typeof raw === "number") {
    if (!Number.isSafeInteger(raw)) throw new SyncError("SYNC_BAD_VALUE", `${where}: ${raw} is not an exact integer for ${typeName}.`);
    parsed = BigInt(raw);
  } else if (typeof raw === "string" && (DECIMAL.test(raw) || HEX.test(raw))) {
    parsed = raw.startsWith("-") ? -BigInt(raw.slice(1)) : BigInt(raw);
  } else {
    throw new SyncError("SYNC_BAD_VALUE", `${where}: expected an integer for ${typeName}, got ${describeValue(raw)}.`);
  }
  const bounds = INTEGER_BOUNDS[typeName];
  if (bounds !== undefined && (parsed < bounds.min || parsed > bounds.max)) {
    throw new SyncError("SYNC_VALUE_OUT_OF_RANGE", `${where}: ${parsed} does not fit ${typeName}.`);
  }
  return parsed;
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
