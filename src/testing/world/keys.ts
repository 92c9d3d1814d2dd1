import { FakeToriiError } from "../errors";
import { FELT_PRIME, parseBigInt } from "../protocol/felt";
import type { ModelDef, Value } from "../schema/types";
import { normalizeValue } from "../values/normalize";
import type { ValueInput } from "../values/normalize";

/** A key as tests may give it: a number, bigint, or decimal/hex string. */
export type KeyInput = number | bigint | string;

export function toKeyFelt(input: KeyInput, where: string): bigint {
  const value = parseBigInt(input);
  if (value === undefined || value < 0n || value >= FELT_PRIME) {
    throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${where}: key ${String(input)} is not a felt`);
  }
  return value;
}

/** Torii's `entities.keys` text (torii-sqlite `felts_to_sql_string`): each key as minimal hex (`{:#x}`) followed by `/`. */
export function keysToText(keys: readonly bigint[]): string {
  return keys.map((k) => `0x${k.toString(16)}/`).join("");
}

export function keysFromText(text: string): bigint[] {
  return text
    .split("/")
    .filter((part) => part !== "")
    .map((part) => BigInt(part));
}

function keyMembers(model: ModelDef): ModelDef["members"] {
  return model.members.filter((m) => m.key === true);
}

/** Only single-felt primitives can be keys here (u256 and structs would span several felts). */
export function assertKeyableModel(model: ModelDef, tag: string): void {
  for (const m of keyMembers(model)) {
    const ok = m.type.kind === "primitive" && m.type.name !== "u256" && m.type.name !== "bool";
    if (!ok) throw new FakeToriiError("FAKE_TORII_BAD_SCHEMA", `${tag}.${m.name}: keys must be single-felt primitives`);
  }
}

/** The felts of the key members present in `members`, or undefined when one is missing. */
export function keysFromMembers(model: ModelDef, members: Readonly<Record<string, ValueInput>>, tag: string): bigint[] | undefined {
  const out: bigint[] = [];
  for (const m of keyMembers(model)) {
    const input = members[m.name];
    if (input === undefined) return undefined;
    const value = normalizeValue(m.type, input, `${tag}.${m.name}`);
    out.push(BigInt(value as string | number));
  }
  return out;
}

/** Key member values derived from the entity's keys (a model's keys are the entity's keys). */
export function keyValues(model: ModelDef, keys: readonly bigint[], tag: string): Record<string, Value> {
  const members = keyMembers(model);
  if (members.length !== keys.length) {
    throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag} has ${members.length} key member(s) but the entity has ${keys.length} key(s)`);
  }
  const out: Record<string, Value> = {};
  members.forEach((m, i) => {
    out[m.name] = normalizeValue(m.type, keys[i], `${tag}.${m.name}`);
  });
  return out;
}
