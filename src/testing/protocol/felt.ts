import { poseidonHashMany } from "@scure/starknet";

/** The Stark field prime: a felt252 must be strictly below it (the wasm client silently reduces larger values). */
export const FELT_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n;

const PRIME_BYTES = toBytesSlow(FELT_PRIME, 32);

function toBytesSlow(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let rest = value;
  for (let i = size - 1; i >= 0; i -= 1) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** True when big-endian `bytes` (at most 32) hold a value below the field prime; compares bytes, no bigint. */
export function isFeltBytes(bytes: Uint8Array): boolean {
  if (bytes.length > 32) return false;
  const offset = 32 - bytes.length;
  for (let i = 0; i < 32; i += 1) {
    const byte = i < offset ? 0 : (bytes[i - offset] ?? 0);
    const limit = PRIME_BYTES[i] ?? 0;
    if (byte !== limit) return byte < limit;
  }
  return false;
}

/** `0x` + 64 lowercase hex digits: the form Torii's SQL and `getEntityIdFromKeys` use. */
export function padHex(value: bigint, digits = 64): string {
  return `0x${value.toString(16).padStart(digits, "0")}`;
}

/** `0x` + minimal hex: the form the wasm client gives `hashed_keys` and `world_address`. */
export function minimalHex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Big-endian bytes of an unsigned value, left-padded to `size` (only the low `size` bytes of a larger value). */
export function toBytes(value: bigint, size: number): Uint8Array {
  if (value < 0n) return toBytesSlow(value, size);
  const out = new Uint8Array(size);
  // Through hex text: one bigint conversion instead of one bigint operation per byte.
  const hex = value.toString(16);
  let end = hex.length;
  for (let i = size - 1; i >= 0 && end > 0; i -= 1) {
    out[i] = Number.parseInt(hex.slice(Math.max(0, end - 2), end), 16);
    end -= 2;
  }
  return out;
}

/** Reads big-endian bytes as an unsigned value (an empty array is 0). */
export function fromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = "0x";
  for (const byte of bytes) hex += BYTE_HEX[byte] ?? "00";
  return BigInt(hex);
}

/** Two's complement encoding for signed 128-bit values, as the wire carries i128. */
export function toSignedBytes(value: bigint, size: number): Uint8Array {
  const modulus = 1n << BigInt(size * 8);
  return toBytes(value < 0n ? value + modulus : value, size);
}

export function fromSignedBytes(bytes: Uint8Array): bigint {
  const raw = fromBytes(bytes);
  const bits = BigInt(bytes.length * 8);
  return bytes.length > 0 && raw >= 1n << (bits - 1n) ? raw - (1n << bits) : raw;
}

/** Parses a felt given as bigint, number, decimal string or hex string. Returns undefined when it is not a number. */
export function parseBigInt(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  if (!/^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) return undefined;
  try {
    return text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text);
  } catch {
    return undefined;
  }
}

/** Dojo's entity id: poseidon over the model's key felts, the same value `getEntityIdFromKeys` computes. */
export function entityIdFromKeys(keys: readonly bigint[]): string {
  // Poseidon costs ~100 µs in JS; bursts hit the same keys again and again.
  const cacheKey = keys.join(",");
  let id = idCache.get(cacheKey);
  if (id === undefined) {
    if (idCache.size >= 100_000) idCache.clear();
    id = hashKeys(keys);
    idCache.set(cacheKey, id);
  }
  return id;
}

const idCache = new Map<string, string>();

let hashKeys = (keys: readonly bigint[]): string => padHex(poseidonHashMany([...keys]));

/**
 * Swap in another implementation of the same Poseidon (the world simulator, in Node, uses the wasm client's: ~7×
 * faster than @scure's in JS, which made seeding 100k entities take most of a minute).
 */
export function usePoseidon(hash: (keys: readonly bigint[]) => bigint): void {
  hashKeys = (keys) => padHex(hash(keys));
}
