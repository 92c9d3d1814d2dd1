import { defineComponent, Type as RecsType, type Component, type Metadata, type Schema, type World } from "@dojoengine/recs";
import type { ToriiValue } from "../../src/sync/index";

/**
 * One member of a bench model: how the wasm Torii client encodes a value (see TORII_FACTS.md, "Value encodings") and
 * what a correct writer must leave in RECS for it. Both are derived from one integer seed so the truth never depends
 * on either pipeline's converter.
 */
export interface MemberSpec {
  readonly name: string;
  /** The Cairo type, as codegen lists it in `metadata.types`. */
  readonly cairoType: string;
  readonly recsType: RecsType;
  readonly toTorii: (seed: number) => ToriiValue;
  readonly toRecs: (seed: number) => unknown;
}

export interface ModelSpec {
  readonly namespace: string;
  readonly name: string;
  /** `namespace-Name`, the key Torii uses in `models`. */
  readonly tag: string;
  readonly members: readonly MemberSpec[];
}

const UNIT: ToriiValue = { type: "tuple", type_name: "()", value: [], key: false };
const prim = (type_name: string, value: unknown): ToriiValue => ({ type: "primitive", type_name, value, key: false });
const hex64 = (value: bigint): string => `0x${value.toString(16).padStart(64, "0")}`;

// Value kinds the bench models use, covering each wasm encoding: small ints as numbers, u64/u128 as decimal strings,
// addresses as padded hex, enums as { option, value }. Seeds are unique per update and member, so an older value
// almost never equals a newer one and a stale member shows up as a different value.
const u16 = (name: string): MemberSpec => ({ name, cairoType: "u16", recsType: RecsType.Number, toTorii: (s) => prim("u16", s % 65_536), toRecs: (s) => s % 65_536 });
const u32 = (name: string): MemberSpec => ({ name, cairoType: "u32", recsType: RecsType.Number, toTorii: (s) => prim("u32", s % 2 ** 31), toRecs: (s) => s % 2 ** 31 });
const u64AsNumber = (name: string): MemberSpec => ({ name, cairoType: "u64", recsType: RecsType.Number, toTorii: (s) => prim("u64", String(s)), toRecs: (s) => s });
const u128 = (name: string): MemberSpec => ({
  name,
  cairoType: "u128",
  recsType: RecsType.BigInt,
  toTorii: (s) => prim("u128", String(BigInt(s) * 1_000_003n)),
  toRecs: (s) => BigInt(s) * 1_000_003n,
});
const address = (name: string): MemberSpec => ({
  name,
  cairoType: "contractaddress",
  recsType: RecsType.BigInt,
  toTorii: (s) => prim("ContractAddress", hex64(BigInt(s) * 0x9e3779b97f4a7c15n)),
  toRecs: (s) => BigInt(s) * 0x9e3779b97f4a7c15n,
});
const enumOf = (name: string, typeName: string, options: number): MemberSpec => ({
  name,
  cairoType: "enum",
  recsType: RecsType.String,
  toTorii: (s) => ({ type: "enum", type_name: typeName, value: { option: `${typeName}${s % options}`, value: UNIT }, key: false }),
  toRecs: (s) => `${typeName}${s % options}`,
});

const model = (name: string, members: MemberSpec[]): ModelSpec => ({ namespace: "bench", name, tag: `bench-${name}`, members });

/** Three models of five members each, shaped like Eternum's armies, resources and structures. */
export const BENCH_MODELS: readonly ModelSpec[] = [
  model("Army", [u32("x"), u32("y"), u128("troops"), address("owner"), u16("stamina")]),
  model("Resource", [u128("balance"), u32("rate"), u64AsNumber("last_updated_at"), u128("cap"), enumOf("kind", "ResourceKind", 97)]),
  model("Structure", [address("owner"), enumOf("category", "Category", 89), u16("level"), u128("hp"), u32("guard_count")]),
];

export type BenchComponent = Component<Schema, Metadata, undefined>;

/** One component per bench model, with the metadata Dojo's codegen writes, so both pipelines bind them by name. */
export function defineBenchComponents(world: World, models: readonly ModelSpec[] = BENCH_MODELS): BenchComponent[] {
  return models.map((spec) => {
    const schema: Schema = {};
    for (const member of spec.members) schema[member.name] = member.recsType;
    const metadata = { namespace: spec.namespace, name: spec.name, types: spec.members.map((member) => member.cairoType), customTypes: [] };
    return defineComponent(world, schema, { metadata }) as unknown as BenchComponent;
  });
}

/** Members per model for the report's prose: one number while every model has the same count. */
export function membersPerModel(models: readonly ModelSpec[]): string {
  return [...new Set(models.map((model) => model.members.length))].join(" or ");
}
