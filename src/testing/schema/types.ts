/** Cairo primitive types as the wasm client names them in `type_name`. */
export type PrimitiveName =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "u128"
  | "u256"
  | "i8"
  | "i16"
  | "i32"
  | "i64"
  | "i128"
  | "bool"
  | "felt252"
  | "ClassHash"
  | "ContractAddress"
  | "EthAddress";

export interface PrimitiveDef {
  readonly kind: "primitive";
  readonly name: PrimitiveName;
}

export interface StructDef {
  readonly kind: "struct";
  readonly name: string;
  readonly members: readonly MemberDef[];
}

export interface EnumOptionDef {
  readonly name: string;
  /** Payload type; omitted for a unit variant (sent as the empty tuple `()`). */
  readonly type?: TypeDef;
}

export interface EnumDef {
  readonly kind: "enum";
  readonly name: string;
  readonly options: readonly EnumOptionDef[];
}

export interface ByteArrayDef {
  readonly kind: "bytearray";
}

/** The Cairo types the fake world can carry; Option<T> is an enum named `Option<T>` (see `optionOf`). */
export type TypeDef = PrimitiveDef | StructDef | EnumDef | ByteArrayDef;

export interface MemberDef {
  readonly name: string;
  readonly type: TypeDef;
  /** Key members form the entity's keys, in declaration order. */
  readonly key?: boolean;
}

export interface ModelDef {
  readonly namespace: string;
  readonly name: string;
  readonly members: readonly MemberDef[];
  /** Event models live in `event_messages` and are served by the *EventMessages methods. @default "model" */
  readonly kind?: "model" | "event";
}

/**
 * A member value in the form the wasm client decodes it to (without the `Ty` wrapper):
 * u8–u32 and i8–i32 as numbers; u64, i64, u128, i128 as decimal strings; u256, felt252, ClassHash and
 * ContractAddress as `0x` + 64 hex digits; EthAddress as `0x` + 40 hex digits; bool; ByteArray as a string;
 * a struct as an object of member values; an enum as `{ option, value }` with `value: null` for a unit variant.
 */
export type Value = number | string | boolean | null | EnumValue | StructValue;
export interface EnumValue {
  readonly option: string;
  readonly value: Value;
}
export interface StructValue {
  readonly [member: string]: Value;
}

/** A model's members keyed by name (all of them for a full write, some for a member update). */
export type ModelValues = Readonly<Record<string, Value>>;

export function modelTag(model: Pick<ModelDef, "namespace" | "name">): string {
  return `${model.namespace}-${model.name}`;
}

export function primitive(name: PrimitiveName): PrimitiveDef {
  return { kind: "primitive", name };
}

export function struct(name: string, members: readonly MemberDef[]): StructDef {
  return { kind: "struct", name, members };
}

export function enumOf(name: string, options: readonly (string | EnumOptionDef)[]): EnumDef {
  return { kind: "enum", name, options: options.map((o) => (typeof o === "string" ? { name: o } : o)) };
}

/** Cairo's `Option<T>`: `Some(T)` is option 0 and `None` option 1, as Cairo declares them. */
export function optionOf(inner: TypeDef): EnumDef {
  return { kind: "enum", name: `Option<${typeName(inner)}>`, options: [{ name: "Some", type: inner }, { name: "None" }] };
}

export function member(name: string, type: TypeDef, key = false): MemberDef {
  return key ? { name, type, key } : { name, type };
}

/** The `type_name` the wasm client reports for a type. */
export function typeName(type: TypeDef): string {
  switch (type.kind) {
    case "primitive":
      return type.name;
    case "struct":
    case "enum":
      return type.name;
    case "bytearray":
      return "ByteArray";
  }
}

/** True for Cairo's `Option<T>` (an enum named `Option<…>` with options Some and None). */
export function isOptionEnum(type: TypeDef): boolean {
  return type.kind === "enum" && type.name.startsWith("Option<") && type.options.length === 2 && type.options[0]?.name === "Some";
}
