import type { EnumOption, Member, Primitive, Struct, Ty } from "@dojoengine/grpc";
import { FakeToriiError } from "../errors";
import { toBytes, toSignedBytes } from "../protocol/felt";
import type { EnumDef, EnumValue, MemberDef, PrimitiveName, TypeDef, Value } from "../schema/types";
import { defaultValue } from "./normalize";

const UNIT_TY: Ty = { ty_type: { oneofKind: "tuple", tuple: { children: [] } } };

function broken(message: string): never {
  throw new FakeToriiError("FAKE_TORII_BAD_ENTITY", message);
}

function bigOf(name: PrimitiveName, value: Value): bigint {
  if (typeof value !== "string" && typeof value !== "number") broken(`${name} value ${String(value)} is not numeric`);
  return BigInt(value);
}

function numberOf(name: PrimitiveName, value: Value): number {
  if (typeof value !== "number") broken(`${name} value ${String(value)} is not a number`);
  return value;
}

function primitiveTy(name: PrimitiveName, value: Value): Ty {
  let primitive: Primitive["primitive_type"];
  // Byte widths match what real Torii sends: the client refuses any other length for u128/u256/i128.
  switch (name) {
    case "u8":
      primitive = { oneofKind: "u8", u8: numberOf(name, value) };
      break;
    case "u16":
      primitive = { oneofKind: "u16", u16: numberOf(name, value) };
      break;
    case "u32":
      primitive = { oneofKind: "u32", u32: numberOf(name, value) };
      break;
    case "i8":
      primitive = { oneofKind: "i8", i8: numberOf(name, value) };
      break;
    case "i16":
      primitive = { oneofKind: "i16", i16: numberOf(name, value) };
      break;
    case "i32":
      primitive = { oneofKind: "i32", i32: numberOf(name, value) };
      break;
    case "u64":
      primitive = { oneofKind: "u64", u64: bigOf(name, value) };
      break;
    case "i64":
      primitive = { oneofKind: "i64", i64: bigOf(name, value) };
      break;
    case "u128":
      primitive = { oneofKind: "u128", u128: toBytes(bigOf(name, value), 16) };
      break;
    case "i128":
      primitive = { oneofKind: "i128", i128: toSignedBytes(bigOf(name, value), 16) };
      break;
    case "u256":
      primitive = { oneofKind: "u256", u256: toBytes(bigOf(name, value), 32) };
      break;
    case "felt252":
      primitive = { oneofKind: "felt252", felt252: toBytes(bigOf(name, value), 32) };
      break;
    case "ClassHash":
      primitive = { oneofKind: "class_hash", class_hash: toBytes(bigOf(name, value), 32) };
      break;
    case "ContractAddress":
      primitive = { oneofKind: "contract_address", contract_address: toBytes(bigOf(name, value), 32) };
      break;
    case "EthAddress":
      primitive = { oneofKind: "eth_address", eth_address: toBytes(bigOf(name, value), 20) };
      break;
    case "bool":
      if (typeof value !== "boolean") broken(`bool value ${String(value)} is not a boolean`);
      primitive = { oneofKind: "bool", bool: value };
      break;
  }
  return { ty_type: { oneofKind: "primitive", primitive: { primitive_type: primitive } } };
}

/** The zero value of a type on the wire, built once per type: unselected enum payloads repeat it in every update. */
const defaultTys = new WeakMap<TypeDef, Ty>();

function defaultTy(type: TypeDef): Ty {
  let ty = defaultTys.get(type);
  if (ty === undefined) {
    ty = toProtoTy(type, defaultValue(type));
    defaultTys.set(type, ty);
  }
  return ty;
}

function isEnumValue(value: Value): value is EnumValue {
  return typeof value === "object" && value !== null && typeof value["option"] === "string" && "value" in value;
}

/** Encodes a canonical value of `type` as the protobuf `Ty` Torii puts on the wire. */
export function toProtoTy(type: TypeDef, value: Value): Ty {
  switch (type.kind) {
    case "primitive":
      return primitiveTy(type.name, value);
    case "bytearray":
      if (typeof value !== "string") broken(`ByteArray value ${String(value)} is not a string`);
      return { ty_type: { oneofKind: "bytearray", bytearray: value } };
    case "struct": {
      if (typeof value !== "object" || value === null) broken(`struct ${type.name} value is not an object`);
      const record = value as Readonly<Record<string, Value>>;
      return { ty_type: { oneofKind: "struct", struct: toProtoStruct(type.name, type.members, record) } };
    }
    case "enum": {
      if (!isEnumValue(value)) broken(`enum ${type.name} value is not { option, value }`);
      let index = -1;
      for (let i = 0; i < type.options.length && index < 0; i += 1) if (type.options[i]?.name === value.option) index = i;
      if (index < 0) broken(`enum ${type.name} has no option ${value.option}`);
      // Every option carries a type (the client refuses an option without one); unselected payloads get zero values.
      const options: EnumOption[] = [];
      for (let i = 0; i < type.options.length; i += 1) {
        const o = type.options[i] as EnumDef["options"][number];
        options.push({ name: o.name, ty: o.type === undefined ? UNIT_TY : i === index ? toProtoTy(o.type, value.value) : defaultTy(o.type) });
      }
      return { ty_type: { oneofKind: "enum", enum: { name: type.name, option: index, options } } };
    }
  }
}

/** A struct holding the given members; members absent from `values` are left out (a partial member update). */
export function toProtoStruct(name: string, members: readonly MemberDef[], values: Readonly<Record<string, Value>>): Struct {
  const children: Member[] = [];
  for (const m of members) {
    const value = values[m.name];
    if (value === undefined) continue;
    children.push({ name: m.name, ty: toProtoTy(m.type, value), key: m.key === true });
  }
  return { name, children };
}
