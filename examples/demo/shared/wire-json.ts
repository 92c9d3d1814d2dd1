/**
 * JSON with bigints, for the control API: a bigint travels as `{ "$bigint": "123" }`, a marker no RECS value can
 * collide with (RECS values are numbers, bigints, strings, booleans, arrays and plain structs of those).
 */
const MARKER = "$bigint";

export function toWireJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? { [MARKER]: inner.toString() } : inner));
}

export function fromWireJson<T>(text: string): T {
  return JSON.parse(text, (_key, inner: unknown) => {
    if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) {
      const marker = (inner as Record<string, unknown>)[MARKER];
      if (typeof marker === "string" && Object.keys(inner).length === 1) return BigInt(marker);
    }
    return inner;
  }) as T;
}
