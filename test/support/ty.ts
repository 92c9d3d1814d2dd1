import type { ToriiValue } from "../../src/core/types";

// Builders for Torii values exactly as the wasm client decodes them (see TORII_FACTS.md).
const prim = (type_name: string, value: unknown): ToriiValue => ({ type: "primitive", type_name, value, key: false });

export const ty = {
  u8: (value: number): ToriiValue => prim("u8", value),
  u32: (value: number): ToriiValue => prim("u32", value),
  u64: (value: bigint | number): ToriiValue => prim("u64", String(value)),
  u128: (value: bigint | number): ToriiValue => prim("u128", String(value)),
  u256: (value: bigint): ToriiValue => prim("u256", `0x${value.toString(16).padStart(64, "0")}`),
  felt: (value: bigint): ToriiValue => prim("felt252", `0x${value.toString(16).padStart(64, "0")}`),
  address: (value: bigint): ToriiValue => prim("ContractAddress", `0x${value.toString(16).padStart(64, "0")}`),
  bool: (value: boolean): ToriiValue => prim("bool", value),
  raw: (type_name: string, value: unknown): ToriiValue => prim(type_name, value),
  bytes: (value: string): ToriiValue => ({ type: "bytearray", type_name: "ByteArray", value, key: false }),
  enum: (type_name: string, option: string, payload: ToriiValue = { type: "tuple", type_name: "()", value: [], key: false }): ToriiValue => ({
    type: "enum",
    type_name,
    value: { option, value: payload },
    key: false,
  }),
  some: (payload: ToriiValue): ToriiValue => ({ type: "enum", type_name: `Option<${payload.type_name}>`, value: { option: "Some", value: payload }, key: false }),
  none: (inner = "u32"): ToriiValue => ({
    type: "enum",
    type_name: `Option<${inner}>`,
    value: { option: "None", value: { type: "tuple", type_name: "()", value: [], key: false } },
    key: false,
  }),
  struct: (type_name: string, members: Record<string, ToriiValue>): ToriiValue => ({ type: "struct", type_name, value: members, key: false }),
  array: (type_name: string, items: ToriiValue[]): ToriiValue => ({ type: "array", type_name, value: items, key: false }),
};

export interface RawEntity {
  hashed_keys: string;
  models: Record<string, Record<string, ToriiValue>>;
  executed_at: number;
  updated_at: number;
  created_at: number;
  world_address: string;
}

export function rawEntity(id: number | string, executedAt: number, models: Record<string, Record<string, ToriiValue>>): RawEntity {
  return {
    hashed_keys: typeof id === "number" ? `0x${id.toString(16)}` : id,
    models,
    executed_at: executedAt,
    updated_at: executedAt,
    created_at: 0,
    world_address: "0x1",
  };
}

export function paddedId(id: number): string {
  return `0x${id.toString(16).padStart(64, "0")}`;
}
