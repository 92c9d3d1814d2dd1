import { describe, expect, it } from "vitest";
import { SyncError } from "../../src/core/errors";
import { bucketKey, bucketOf, decodeBucket, encodeBucket } from "../../src/persist/entity-row";
import { BUCKETS_PER_SCOPE, type EntityModelRecord, type EntityState } from "../../src/persist/layout";
import { DirtySet } from "../../src/persist/dirty-set";
import { id, u32, write } from "./persist-fakes";

function entity(n: number, tombstoneAt: number | undefined, ...records: Omit<EntityModelRecord, "entityId">[]): EntityState {
  return { scope: "entities", entityId: id(n), tombstoneAt, models: new Map(records.map((record) => [record.model, { ...record, entityId: id(n) }])) };
}

function record(model: string, names: string[], at: number, deletedAt?: number): Omit<EntityModelRecord, "entityId"> {
  const made: Omit<EntityModelRecord, "entityId"> = { scope: "entities", model, names, values: names.map((_, i) => u32(i + 1)), ats: names.map(() => at) };
  if (deletedAt !== undefined) made.deletedAt = deletedAt;
  return made;
}

/** Decode a bucket as storage hands it back: its key, and a copy of its record. */
const decode = (key: unknown, text: string | undefined): EntityState[] => decodeBucket(structuredClone(key), structuredClone(text));

function codeOf(thrown: () => unknown): string | undefined {
  try {
    thrown();
  } catch (error) {
    return error instanceof SyncError ? error.code : "not a SyncError";
  }
  return undefined;
}

describe("a bucket's record (its entities as one JSON string)", () => {
  it("should put entities whose ids end alike in one bucket, and spread ids over every bucket", () => {
    expect(bucketOf(id(1))).toBe(bucketOf(id(1 + BUCKETS_PER_SCOPE)));
    expect(bucketOf(id(1))).not.toBe(bucketOf(id(2)));
    expect(bucketKey("events", id(5))).toEqual(["events", 5]);
    expect(new Set(Array.from({ length: BUCKETS_PER_SCOPE }, (_, i) => bucketOf(id(i)))).size).toBe(BUCKETS_PER_SCOPE);
  });

  it("should read an id's bucket from its last hex digits, either case", () => {
    expect(bucketOf(`0x${"0".repeat(61)}abc`)).toBe(0xabc);
    expect(bucketOf(`0x${"0".repeat(61)}ABC`)).toBe(0xabc);
    expect(bucketOf(`0x${"f".repeat(64)}`)).toBe(0xfff % BUCKETS_PER_SCOPE);
  });

  it("should group a flush's entities by bucket, in the order IndexedDB sorts the keys", () => {
    const dirty = new DirtySet(true);
    const at = (n: number, scope: "entities" | "events") => write(n, "ns-Army", { hp: [1, 100] }, scope);
    dirty.note([at(3, "events"), at(2, "entities"), at(3 + BUCKETS_PER_SCOPE, "events"), at(1, "entities"), at(3, "entities"), at(2, "entities")]);
    expect(dirty.size).toBe(5);
    const groups = dirty.takeGroups();
    expect(groups.map((group) => [...group.key, group.entities.map((e) => e.entityId)])).toEqual([
      ["entities", 1, [id(1)]],
      ["entities", 2, [id(2)]],
      ["entities", 3, [id(3)]],
      ["events", 3, [id(3), id(3 + BUCKETS_PER_SCOPE)]],
    ]);
    // Taken whole: the next flush starts empty, and groups only what was noted since.
    expect(dirty.size).toBe(0);
    dirty.note([at(5, "entities")]);
    expect(dirty.takeGroups().map((group) => group.key)).toEqual([["entities", 5]]);
    expect(dirty.take()).toEqual([]);
  });

  it("should give back what it was made from: members with their times, model and entity tombstones, per entity", () => {
    const first = entity(1, 90, record("ns-Army", ["hp", "x"], 100), record("ns-Tile", ["owner"], 120, 110), record("ns-Flag", [], 0, 95));
    const second = entity(1 + BUCKETS_PER_SCOPE, undefined, record("ns-Army", ["hp"], 130));
    const back = decode(bucketKey("entities", id(1)), encodeBucket([first, second]));
    expect(back.map((e) => e.entityId)).toEqual([id(1), id(1 + BUCKETS_PER_SCOPE)]);
    expect(back[0]?.tombstoneAt).toBe(90);
    expect([...(back[0]?.models.values() ?? [])]).toEqual([...first.models.values()]);
    expect([...(back[1]?.models.values() ?? [])]).toEqual([...second.models.values()]);
  });

  it("should store primitives as [type_name, value] and one shared block time, and give back the same values", () => {
    const key = { type: "primitive", type_name: "ContractAddress", value: "0xabc", key: true } as const;
    const guard = { type: "struct", type_name: "Guard", value: { count: u32(5) }, key: false } as const;
    const army = { scope: "entities" as const, model: "ns-Army", names: ["owner", "hp", "guard"], values: [key, u32(7), guard], ats: [100, 100, 100] };
    const tile = { scope: "entities" as const, model: "ns-Tile", names: ["x", "y"], values: [u32(1), u32(2)], ats: [90, 120] };
    const state = entity(1, undefined, army, tile);
    const text = encodeBucket([state]) as string;
    // Only the primitive inside the struct keeps its whole form.
    expect(text.split('"type":"primitive"')).toHaveLength(2);
    expect(text).toContain('["ContractAddress","0xabc",1]');
    expect(text).toContain('["u32",7]');
    // The struct whole; Army's times as one number, Tile's (two block times) as a list.
    expect(text).toContain('"type":"struct"');
    expect(JSON.parse(text)[id(1)].m.map((tuple: unknown[]) => tuple[3])).toEqual([100, [90, 120]]);
    // Smaller than the whole form (341 against 552 characters for this record, its 66-character id included).
    const whole = JSON.stringify({ [id(1)]: { m: [...state.models.values()].map((r) => [r.model, r.names, r.values, r.ats]) } });
    expect(text.length).toBeLessThan(whole.length * 0.7);
    const back = decode(bucketKey("entities", id(1)), text);
    expect([...(back[0]?.models.values() ?? [])]).toEqual([...state.models.values()]);
    // A primitive without a value keeps it undefined (an array would make it null).
    const unset = entity(1, undefined, { ...record("ns-Flag", ["on"], 100), values: [{ type: "primitive", type_name: "bool", value: undefined, key: false }] });
    expect([...(decode(bucketKey("entities", id(1)), encodeBucket([unset]))[0]?.models.values() ?? [])][0]?.values[0]?.value).toBeUndefined();
    // Records in the whole form (as the SDK wrote them before) are read as they are.
    expect([...(decode(bucketKey("entities", id(1)), whole)[0]?.models.values() ?? [])]).toEqual([...state.models.values()]);
  });

  it("should leave out models and entities with nothing left, and give no record once nothing is left", () => {
    const kept = decode(bucketKey("entities", id(1)), encodeBucket([entity(1, undefined, record("ns-Army", ["hp"], 100), record("ns-Tile", [], 0))]));
    expect([...(kept[0]?.models.keys() ?? [])]).toEqual(["ns-Army"]);
    expect(encodeBucket([entity(1, undefined, record("ns-Tile", [], 0))])).toBeUndefined();
    // An entity tombstone alone is kept: it is the floor older writes must not pass.
    expect(decode(bucketKey("entities", id(1)), encodeBucket([entity(1, 100)]))[0]?.tombstoneAt).toBe(100);
  });

  it("should refuse, as SYNC_CACHE_CORRUPT, every record this SDK would not have written", () => {
    const key = bucketKey("entities", id(1));
    const of = (body: unknown): string => JSON.stringify({ [id(1)]: body });
    const corrupt: [unknown, unknown][] = [
      [key, undefined],
      [key, { [id(1)]: { m: [] } }],
      [key, "{not json"],
      [key, "null"],
      [key, "[]"],
      [key, "{}"],
      [["other", 1], of({ t: 1, m: [] })],
      [["entities", BUCKETS_PER_SCOPE], of({ t: 1, m: [] })],
      [["entities", 1.5], of({ t: 1, m: [] })],
      [["entities", 1, "extra"], of({ t: 1, m: [] })],
      // An entity in a bucket its id does not hash to.
      [["entities", 2], of({ t: 1, m: [] })],
      [key, JSON.stringify({ "0x1": { t: 1, m: [] } })],
      [key, of({ m: {} })],
      [key, of({ m: [] })],
      [key, of({ t: -1, m: [] })],
      [key, of({ m: [["ns-Army", ["hp"], [u32(1)]]] })],
      [key, of({ m: [["ns-Army", ["hp"], [u32(1)], [1.5]]] })],
      [key, of({ m: [["ns-Army", ["hp"], [7], [1]]] })],
      [key, of({ m: [["ns-Army", ["__proto__"], [u32(1)], [1]]] })],
      [key, of({ m: [["not a tag", ["hp"], [u32(1)], [1]]] })],
      [key, of({ m: [["ns-Army", ["hp"], [u32(1)], [1]], ["ns-Army", ["x"], [u32(1)], [1]]] })],
      [key, of({ m: [["ns-Army", [], [], []]] })],
      // The compact forms: a primitive needs its type name and a value (and only 1 as a key flag); one shared time.
      [key, of({ m: [["ns-Army", ["hp"], [["u32"]], 1]] })],
      [key, of({ m: [["ns-Army", ["hp"], [[5, 1]], 1]] })],
      [key, of({ m: [["ns-Army", ["hp"], [["u32", 1, 2]], 1]] })],
      [key, of({ m: [["ns-Army", ["hp"], [["u32", 1, 1, 1]], 1]] })],
      [key, of({ m: [["ns-Army", ["hp"], [["u32", 1]], 1.5]] })],
      [key, of({ m: [["ns-Army", ["hp"], [["u32", 1]], -1]] })],
      [key, of({ m: [["ns-Army", "hp", [["u32", 1]], 1]] })],
      [key, of({ m: [["ns-Army", ["hp"], { 0: ["u32", 1] }, 1]] })],
      // A model tombstone with no members has an empty list of times, never one number.
      [key, of({ m: [["ns-Army", [], [], 5, 7]] })],
    ];
    for (const [k, body] of corrupt) expect(codeOf(() => decodeBucket(k, body)), JSON.stringify([k, body])).toBe("SYNC_CACHE_CORRUPT");
    // The same key with a record this SDK writes is read.
    expect(decodeBucket(key, of({ t: 1, m: [] }))[0]?.tombstoneAt).toBe(1);
  });

  it("should refuse a value JSON cannot hold with a typed error, not a TypeError", () => {
    const state = entity(1, undefined, { ...record("ns-Army", ["hp"], 100), values: [{ type: "primitive", type_name: "u64", value: 1n, key: false }] });
    expect(codeOf(() => encodeBucket([state]))).toBe("SYNC_CACHE_UNAVAILABLE");
  });
});
