import type { MemberValue, Primitive } from "@dojoengine/grpc";
import { fromBytes, fromSignedBytes } from "../protocol/felt";
import type { Value } from "../schema/types";

/** A value reduced to something comparable: integers and felts as bigint, enums as their option name. */
export type Comparable = bigint | string | boolean;

const NUMERIC = /^(-?[0-9]+|0x[0-9a-fA-F]+)$/;

function fromPrimitive(primitive: Primitive | undefined): Comparable | undefined {
  const p = primitive?.primitive_type;
  if (p === undefined) return undefined;
  switch (p.oneofKind) {
    case undefined:
      return undefined;
    case "bool":
      return p.bool;
    case "i8":
    case "i16":
    case "i32":
    case "u8":
    case "u16":
    case "u32":
      return BigInt((p as Record<string, unknown>)[p.oneofKind] as number);
    case "i64":
      return p.i64;
    case "u64":
      return p.u64;
    case "i128":
      return fromSignedBytes(p.i128);
    default:
      return fromBytes((p as Record<string, unknown>)[p.oneofKind] as Uint8Array);
  }
}

/** The clause side: what the client sent in a Member clause (`Primitive`, `String` or `List`). */
export function comparableFromMemberValue(value: MemberValue | undefined): Comparable | Comparable[] | undefined {
  const v = value?.value_type;
  if (v === undefined) return undefined;
  switch (v.oneofKind) {
    case "primitive":
      return fromPrimitive(v.primitive);
    case "string":
      return NUMERIC.test(v.string) ? BigInt(v.string) : v.string;
    case "list":
      return v.list.values.map((item) => comparableFromMemberValue(item)).filter((x): x is Comparable => x !== undefined && !Array.isArray(x));
    case undefined:
      return undefined;
  }
}

/** The stored side: a canonical member value (enums compare by option name, like Torii's SQL columns). */
export function comparableFromValue(value: Value | undefined): Comparable | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "string") return NUMERIC.test(value) ? BigInt(value) : value;
  const option = value["option"];
  return typeof option === "string" ? option : undefined;
}

/** Reads `a.b.c` inside a model's values; enums are stepped through by their payload (`discovered_by.Some`). */
export function valueAtPath(values: Readonly<Record<string, Value>>, path: string): Value | undefined {
  let current: Value | undefined = values as Value;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    const record: Readonly<Record<string, Value>> = current as Readonly<Record<string, Value>>;
    if (typeof record["option"] === "string" && "value" in record) {
      current = record["option"] === part ? record["value"] : undefined;
    } else {
      current = record[part];
    }
  }
  return current;
}
