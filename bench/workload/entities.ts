import type { ToriiValue } from "../../src/sync/index";
import type { ModelSpec } from "./models";

/** An entity exactly as the wasm client's `onEntityUpdated` callback hands it over. */
export interface RawToriiEntity {
  readonly world_address: string;
  readonly hashed_keys: string;
  readonly models: Readonly<Record<string, Readonly<Record<string, ToriiValue>>>>;
  readonly created_at: number;
  readonly updated_at: number;
  readonly executed_at: number;
}

/**
 * The two spellings of each entity id. The wasm client sends minimal hex, and `@dojoengine/state` writes RECS under
 * that spelling as is; our pipeline pads to 64 digits like `getEntityIdFromKeys`. Checking RECS must use the id each
 * pipeline writes under.
 */
export interface EntityIds {
  readonly minimal: readonly string[];
  readonly padded: readonly string[];
}

// Real hashed keys are Poseidon hashes below 2^251: long, so Map lookups pay for hashing a 66-character string.
const FIELD = 2n ** 251n;
const SPREAD = 0x9e3779b97f4a7c15f39cc0605cedc8341082276bf3a27251f86c6a11d0c18e95n;

export function entityIds(count: number): EntityIds {
  const minimal: string[] = [];
  const padded: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const hex = ((BigInt(index + 1) * SPREAD) % FIELD).toString(16);
    minimal.push(`0x${hex}`);
    padded.push(`0x${hex.padStart(64, "0")}`);
  }
  return { minimal, padded };
}

/** The RECS value a faithful copy must hold per entity × model (`entity * models + model`), or undefined if never written. */
export type Truth = (Readonly<Record<string, unknown>> | undefined)[];

/**
 * Build one update for one model: the members at `memberIndexes`, valued from `seedBase + memberIndex` so every
 * (update, member) pair has its own value. Records the expected RECS values into `expected`.
 */
export function modelUpdate(
  spec: ModelSpec,
  memberIndexes: readonly number[],
  seedBase: number,
  expected: Record<string, unknown>,
): Record<string, ToriiValue> {
  const body: Record<string, ToriiValue> = {};
  for (const index of memberIndexes) {
    const member = spec.members[index];
    if (member === undefined) throw new Error(`model ${spec.tag} has no member #${index}`);
    body[member.name] = member.toTorii(seedBase + index);
    expected[member.name] = member.toRecs(seedBase + index);
  }
  return body;
}

export function rawEntity(hashedKeys: string, executedAt: number, tag: string, body: Readonly<Record<string, ToriiValue>>): RawToriiEntity {
  return { world_address: "0x1", hashed_keys: freshCopy(hashedKeys), models: { [tag]: body }, created_at: 0, updated_at: executedAt, executed_at: executedAt };
}

/**
 * The wasm client decodes every message into new JS strings, so no two messages share an id string and every Map or
 * Symbol.for lookup by id pays for hashing it. Sharing one string per entity would hide that cost from both pipelines.
 */
export function freshCopy(text: string): string {
  return text.split("").join("");
}

/**
 * Distinct entity × model pairs the arrivals touch: the RECS writes a pipeline that coalesces perfectly makes (one per
 * entity-model changed), counted from the workload itself.
 */
export function entityModelsTouched(arrivals: readonly RawToriiEntity[]): number {
  const seen = new Set<string>();
  for (const arrival of arrivals) for (const tag of Object.keys(arrival.models)) seen.add(`${arrival.hashed_keys}\u0000${tag}`);
  return seen.size;
}
