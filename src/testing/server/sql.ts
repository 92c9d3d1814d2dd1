import type { SqlQueryResponseMessage, SqlValueMessage } from "../protocol/codecs";

function toSqlValue(value: unknown): SqlValueMessage {
  if (value === null || value === undefined) return { value_type: { oneofKind: "null", null: true } };
  if (typeof value === "bigint") return { value_type: { oneofKind: "integer", integer: value } };
  if (typeof value === "number") {
    return Number.isInteger(value) ? { value_type: { oneofKind: "integer", integer: BigInt(value) } } : { value_type: { oneofKind: "real", real: value } };
  }
  if (value instanceof Uint8Array) return { value_type: { oneofKind: "blob", blob: value } };
  return { value_type: { oneofKind: "text", text: String(value) } };
}

/** Rows from SQLite as the gRPC ExecuteSql response (`map<string, SqlValue>` per row). */
export function toSqlResponse(rows: readonly Record<string, unknown>[]): SqlQueryResponseMessage {
  return { rows: rows.map((row) => ({ fields: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toSqlValue(v)])) })) };
}

/** Rows as JSON text, as Torii's `/sql` endpoint answers (blobs as hex, bigints as numbers when safe). */
export function toSqlJson(rows: readonly Record<string, unknown>[]): string {
  return JSON.stringify(rows, (_key, value: unknown) => {
    if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
    return value;
  });
}
