import { padHex } from "../protocol/felt";
import type { EnumValue, MemberDef, PrimitiveName, TypeDef, Value } from "../schema/types";

/**
 * Model values flattened into Torii-style columns: nested members become `"coord.x"`, an enum becomes a TEXT column
 * holding the option name plus one column tree per payload (`"discovered_by.Some"`).
 * u8–u32, i8–i32 and bool are INTEGER; u64, u128, u256 and felts are TEXT padded hex (so they sort as numbers);
 * i64 and i128 are TEXT decimals.
 */
export type SqlScalar = number | string | null;

export interface ColumnDef {
  readonly name: string;
  readonly sqlType: "INTEGER" | "TEXT";
}

const HEX_WIDTH: Partial<Record<PrimitiveName, number>> = { u64: 16, u128: 32, u256: 64, felt252: 64, ClassHash: 64, ContractAddress: 64, EthAddress: 40 };

function isInteger(name: PrimitiveName): boolean {
  return ["u8", "u16", "u32", "i8", "i16", "i32", "bool"].includes(name);
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

export function columnsOf(members: readonly MemberDef[], prefix = ""): ColumnDef[] {
  return members.flatMap((m) => typeColumns(m.type, join(prefix, m.name)));
}

function typeColumns(type: TypeDef, name: string): ColumnDef[] {
  switch (type.kind) {
    case "primitive":
      return [{ name, sqlType: isInteger(type.name) ? "INTEGER" : "TEXT" }];
    case "bytearray":
      return [{ name, sqlType: "TEXT" }];
    case "struct":
      return columnsOf(type.members, name);
    case "enum":
      return [
        { name, sqlType: "TEXT" },
        ...type.options.flatMap((o) => (o.type === undefined ? [] : typeColumns(o.type, join(name, o.name)))),
      ];
  }
}

function primitiveToSql(name: PrimitiveName, value: Value): SqlScalar {
  if (name === "bool") return value === true ? 1 : 0;
  const width = HEX_WIDTH[name];
  if (width !== undefined) return padHex(BigInt(value as string | number), width);
  return value as number | string;
}

function primitiveFromSql(name: PrimitiveName, raw: unknown): Value {
  if (name === "bool") return raw === 1 || raw === 1n;
  if (typeof raw === "bigint") return Number(raw);
  const width = HEX_WIDTH[name];
  if (width === undefined) return raw as number | string;
  const value = BigInt(raw as string);
  if (name === "u64" || name === "u128") return value.toString(10);
  return padHex(value, width);
}

/** Writes `value` into `out` under the columns of `type` rooted at `name`. */
export function flattenValue(type: TypeDef, value: Value, name: string, out: Record<string, SqlScalar>): void {
  switch (type.kind) {
    case "primitive":
      out[name] = primitiveToSql(type.name, value);
      return;
    case "bytearray":
      out[name] = value as string;
      return;
    case "struct": {
      const record = value as Readonly<Record<string, Value>>;
      for (const m of type.members) {
        const child = record[m.name];
        if (child !== undefined) flattenValue(m.type, child, join(name, m.name), out);
      }
      return;
    }
    case "enum": {
      const selected = value as EnumValue;
      out[name] = selected.option;
      for (const option of type.options) {
        if (option.type === undefined) continue;
        if (option.name === selected.option) flattenValue(option.type, selected.value, join(name, option.name), out);
        else for (const column of typeColumns(option.type, join(name, option.name))) out[column.name] = null;
      }
      return;
    }
  }
}

/** Reads the value of `type` back from a row; the inverse of flattenValue. */
export function unflattenValue(type: TypeDef, row: Readonly<Record<string, unknown>>, name: string): Value {
  switch (type.kind) {
    case "primitive":
      return primitiveFromSql(type.name, row[name]);
    case "bytearray":
      return String(row[name] ?? "");
    case "struct": {
      const out: Record<string, Value> = {};
      for (const m of type.members) out[m.name] = unflattenValue(m.type, row, join(name, m.name));
      return out;
    }
    case "enum": {
      const option = String(row[name]);
      const def = type.options.find((o) => o.name === option);
      return { option, value: def?.type === undefined ? null : unflattenValue(def.type, row, join(name, option)) };
    }
  }
}
