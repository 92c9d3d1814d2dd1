import { FakeToriiError } from "../errors";
import { modelTag } from "./types";
import type { MemberDef, ModelDef, PrimitiveName, TypeDef } from "./types";

const PRIMITIVES = new Set<PrimitiveName>(["u8", "u16", "u32", "u64", "u128", "u256", "i8", "i16", "i32", "i64", "i128", "bool", "felt252", "ClassHash", "ContractAddress", "EthAddress"]);

function bad(path: string, message: string): never {
  throw new FakeToriiError("FAKE_TORII_BAD_SCHEMA", `${path}: ${message}`);
}

function checkType(type: TypeDef | undefined, path: string): void {
  if (type === undefined || type === null || typeof type !== "object") bad(path, "member without a type");
  switch (type.kind) {
    case "primitive":
      if (!PRIMITIVES.has(type.name)) bad(path, `unknown primitive ${String(type.name)}`);
      return;
    case "bytearray":
      return;
    case "struct":
      checkMembers(type.members, path);
      return;
    case "enum": {
      if (type.options.length === 0) bad(path, `enum ${type.name} has no options`);
      const names = new Set<string>();
      for (const option of type.options) {
        if (option.name === "" || names.has(option.name)) bad(path, `enum ${type.name} has an empty or duplicate option name`);
        names.add(option.name);
        if (option.type !== undefined) checkType(option.type, `${path}::${option.name}`);
      }
      return;
    }
    default:
      bad(path, `unknown type kind ${JSON.stringify((type as { kind?: unknown }).kind)}`);
  }
}

function checkMembers(members: readonly MemberDef[] | undefined, path: string): void {
  if (!Array.isArray(members) || members.length === 0) bad(path, "a struct needs at least one member");
  const names = new Set<string>();
  for (const m of members) {
    if (typeof m.name !== "string" || m.name === "" || names.has(m.name)) bad(path, `empty or duplicate member name ${JSON.stringify(m.name)}`);
    names.add(m.name);
    checkType(m.type, `${path}.${m.name}`);
  }
}

/** Refuses a model definition that would put a malformed `Ty` on the wire (e.g. a member without a type). */
export function assertValidModel(model: ModelDef): void {
  const tag = modelTag(model);
  if (!/^[A-Za-z0-9_]+$/.test(model.namespace) || !/^[A-Za-z0-9_]+$/.test(model.name)) bad(tag, "namespace and name must be identifiers");
  checkMembers(model.members, tag);
  if (!model.members.some((m) => m.key === true)) bad(tag, "a Dojo model needs at least one key member");
}
