import type { Entity, Member, Primitive, Ty } from "@dojoengine/grpc";
import { FakeToriiError } from "../errors";
import { isFeltBytes } from "../protocol/felt";

/*
 * The wasm client panics (and takes the Node process with it) on some malformed entities inside a stream:
 * a member or enum option without `ty`, an empty `ty_type` or `primitive_type`, an enum option index out of range,
 * a u128/i128/u256 with the wrong byte length. Other mistakes are decoded silently but wrongly (a u8 of 300 becomes 44,
 * a felt ≥ p is reduced mod p). This guard refuses all of them before a byte reaches the socket.
 */

const INT_LIMITS: Record<string, readonly [number, number]> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  i8: [-0x80, 0x7f],
  i16: [-0x8000, 0x7fff],
  i32: [-0x80000000, 0x7fffffff],
};

function checkPrimitive(primitive: Primitive | undefined, path: string, problems: string[]): void {
  const p = primitive?.primitive_type;
  if (p === undefined || p.oneofKind === undefined) {
    problems.push(`${path}: primitive without a primitive_type`);
    return;
  }
  switch (p.oneofKind) {
    case "u8":
    case "u16":
    case "u32":
    case "i8":
    case "i16":
    case "i32": {
      const value = (p as Record<string, unknown>)[p.oneofKind];
      const limits = INT_LIMITS[p.oneofKind];
      if (typeof value !== "number" || !Number.isInteger(value) || limits === undefined || value < limits[0] || value > limits[1]) {
        problems.push(`${path}: ${p.oneofKind} value ${String(value)} out of range`);
      }
      return;
    }
    case "u64":
      if (p.u64 < 0n || p.u64 >= 2n ** 64n) problems.push(`${path}: u64 value ${p.u64} out of range`);
      return;
    case "i64":
      if (p.i64 < -(2n ** 63n) || p.i64 >= 2n ** 63n) problems.push(`${path}: i64 value ${p.i64} out of range`);
      return;
    case "u128":
    case "i128":
    case "u256": {
      const bytes = (p as Record<string, unknown>)[p.oneofKind];
      const want = p.oneofKind === "u256" ? 32 : 16;
      if (!(bytes instanceof Uint8Array) || bytes.length !== want) {
        problems.push(`${path}: ${p.oneofKind} must be exactly ${want} bytes`);
      }
      return;
    }
    case "felt252":
    case "class_hash":
    case "contract_address": {
      const bytes = (p as Record<string, unknown>)[p.oneofKind];
      if (!(bytes instanceof Uint8Array) || !isFeltBytes(bytes)) {
        problems.push(`${path}: ${p.oneofKind} must be at most 32 bytes and below the field prime`);
      }
      return;
    }
    case "eth_address":
      if (p.eth_address.length > 20) problems.push(`${path}: eth_address must be at most 20 bytes`);
      return;
    case "bool":
      return;
  }
}

function checkTy(ty: Ty | undefined, path: string, problems: string[]): void {
  const t = ty?.ty_type;
  if (t === undefined || t.oneofKind === undefined) {
    problems.push(`${path}: missing type (ty/ty_type)`);
    return;
  }
  switch (t.oneofKind) {
    case "primitive":
      checkPrimitive(t.primitive, path, problems);
      return;
    case "struct":
      checkMembers(t.struct.children, path, problems);
      return;
    case "enum": {
      const options = t.enum.options;
      if (t.enum.option >= options.length) {
        problems.push(`${path}: enum ${t.enum.name} selects option ${t.enum.option} of ${options.length}`);
      }
      options.forEach((o, i) => checkTy(o.ty, `${path}::${o.name || `#${i}`}`, problems));
      return;
    }
    case "tuple":
      t.tuple.children.forEach((child, i) => checkTy(child, `${path}[${i}]`, problems));
      return;
    case "array":
      t.array.children.forEach((child, i) => checkTy(child, `${path}[${i}]`, problems));
      return;
    case "fixed_size_array":
      t.fixed_size_array.children.forEach((child, i) => checkTy(child, `${path}[${i}]`, problems));
      return;
    case "bytearray":
      return;
  }
}

function checkMembers(members: readonly Member[], path: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const m of members) {
    const at = `${path}.${m.name}`;
    if (m.name === "") problems.push(`${path}: member without a name`);
    if (seen.has(m.name)) problems.push(`${at}: duplicate member`);
    seen.add(m.name);
    checkTy(m.ty, at, problems);
  }
}

/** Lists what is wrong with an entity before it is encoded; empty when it is safe for the wasm client. */
export function findWireProblems(entity: Entity): string[] {
  const problems: string[] = [];
  if (!isFeltBytes(entity.hashed_keys)) {
    problems.push("hashed_keys must be at most 32 bytes and below the field prime");
  }
  if (entity.world_address.length > 32) problems.push("world_address must be at most 32 bytes");
  const tags = new Set<string>();
  for (const model of entity.models) {
    if (model.name === "") problems.push("a model without a name");
    if (tags.has(model.name)) problems.push(`${model.name}: model sent twice`);
    tags.add(model.name);
    checkMembers(model.children, model.name, problems);
  }
  return problems;
}

/** Throws FAKE_TORII_BAD_ENTITY when the entity would crash or mislead the wasm client. */
export function assertWireEntity(entity: Entity, context: string): void {
  const problems = findWireProblems(entity);
  if (problems.length > 0) {
    throw new FakeToriiError("FAKE_TORII_BAD_ENTITY", `${context}: refusing to send a malformed entity: ${problems.join("; ")}`);
  }
}
