import { describe, expect, it } from "vitest";
import { SyncError } from "../../src/core/errors";
import { decodeEntity, encodeEntity } from "../../src/persist/entity-row";
import type { EntityModelRecord, EntityRow, EntityState } from "../../src/persist/layout";
import { id, u32 } from "./persist-fakes";

function entity(tombstoneAt: number | undefined, ...records: EntityModelRecord[]): EntityState {
  return { scope: "entities", entityId: id(1), tombstoneAt, models: new Map(records.map((record) => [record.model, record])) };
}

function record(model: string, names: string[], at: number, deletedAt?: number): EntityModelRecord {
  const made: EntityModelRecord = { scope: "entities", entityId: id(1), model, names, values: names.map((_, i) => u32(i + 1)), ats: names.map(() => at) };
  if (deletedAt !== undefined) made.deletedAt = deletedAt;
  return made;
}

const KEY = ["entities", id(1)];
const row = (body: unknown): [unknown, unknown] => [KEY, typeof body === "string" ? body : JSON.stringify(body)];
/** Decode a row as storage hands it back: the key, and a copy of the body. */
const decode = (stored: EntityRow | undefined): EntityState => decodeEntity(structuredClone(stored?.key), structuredClone(stored?.body));

function codeOf(thrown: () => unknown): string | undefined {
  try {
    thrown();
  } catch (error) {
    return error instanceof SyncError ? error.code : "not a SyncError";
  }
  return undefined;
}

describe("an entity's row (one JSON string per entity)", () => {
  it("should give back what it was made from: members with their times, model and entity tombstones", () => {
    const state = entity(90, record("ns-Army", ["hp", "x"], 100), record("ns-Tile", ["owner"], 120, 110), record("ns-Flag", [], 0, 95));
    const stored = encodeEntity(state);
    expect(typeof stored?.body).toBe("string");
    expect(stored?.key).toEqual(["entities", id(1)]);
    const back = decode(stored);
    expect(back.tombstoneAt).toBe(90);
    expect([...back.models.values()]).toEqual([...state.models.values()]);
  });

  it("should leave out models with nothing left, and give no row once nothing of the entity is left", () => {
    expect([...decode(encodeEntity(entity(undefined, record("ns-Army", ["hp"], 100), record("ns-Tile", [], 0)))).models.keys()]).toEqual(["ns-Army"]);
    expect(encodeEntity(entity(undefined, record("ns-Tile", [], 0)))).toBeUndefined();
    // An entity tombstone alone is kept: it is the floor older writes must not pass.
    expect(decode(encodeEntity(entity(100))).tombstoneAt).toBe(100);
  });

  it("should refuse, as SYNC_CACHE_CORRUPT, every body this SDK would not have written", () => {
    const corrupt: [unknown, unknown][] = [
      [KEY, undefined],
      [KEY, { m: [] }],
      [["other", id(1)], JSON.stringify({ t: 1, m: [] })],
      [["entities", "0x1"], JSON.stringify({ t: 1, m: [] })],
      [["entities", id(1), "extra"], JSON.stringify({ t: 1, m: [] })],
      row("{not json"),
      row(null),
      row({ m: {} }),
      row({ m: [] }),
      row({ t: -1, m: [] }),
      row({ m: [["ns-Army", ["hp"], [u32(1)]]] }),
      row({ m: [["ns-Army", ["hp"], [u32(1)], [1.5]]] }),
      row({ m: [["ns-Army", ["hp"], [7], [1]]] }),
      row({ m: [["ns-Army", ["__proto__"], [u32(1)], [1]]] }),
      row({ m: [["not a tag", ["hp"], [u32(1)], [1]]] }),
      row({ m: [["ns-Army", ["hp"], [u32(1)], [1]], ["ns-Army", ["x"], [u32(1)], [1]]] }),
      row({ m: [["ns-Army", [], [], []]] }),
    ];
    for (const [key, body] of corrupt) expect(codeOf(() => decodeEntity(key, body)), JSON.stringify([key, body])).toBe("SYNC_CACHE_CORRUPT");
    // The same key with a body this SDK writes is read.
    expect(decodeEntity(KEY, JSON.stringify({ t: 1, m: [] })).tombstoneAt).toBe(1);
  });

  it("should refuse a value JSON cannot hold with a typed error, not a TypeError", () => {
    const state = entity(undefined, { ...record("ns-Army", ["hp"], 100), values: [{ type: "primitive", type_name: "u64", value: 1n, key: false }] });
    expect(codeOf(() => encodeEntity(state))).toBe("SYNC_CACHE_UNAVAILABLE");
  });
});
