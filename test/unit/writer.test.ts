import { getComponentValue, type Entity } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import { normalizeEntityId } from "../../src/core/entity-id";
import { SyncError } from "../../src/core/errors";
import { RecsWriter } from "../../src/core/writer/recs-writer";
import { ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const id = normalizeEntityId("0x1");

function setup() {
  const { world, components } = createTestWorld();
  const writer = new RecsWriter(components);
  const write = (model: string, members: Record<string, unknown>) => {
    const binding = writer.binding(model);
    if (binding === undefined) throw new Error(`no binding for ${model}`);
    const converted = writer.convert(binding, id, Object.entries(members) as [string, never][]);
    writer.write(binding, id, converted.values);
    return converted;
  };
  return { world, components, writer, write };
}

describe("RecsWriter", () => {
  it("should bind components to Torii models by metadata namespace and name", () => {
    const { writer } = setup();
    expect([...writer.models()].sort()).toEqual(["test-Army", "test-Structure", "test-Tile"]);
  });

  it("should convert numbers, bigints, enums, Option None, nested structs, arrays and generic values by schema", () => {
    const { components, write } = setup();
    const army = write("test-Army", { army_id: ty.u32(7), owner: ty.address(0xabcn), x: ty.u32(3), y: ty.u32(4), troops: ty.u128(2n ** 100n) });
    expect(army.errors).toEqual([]);
    expect(getComponentValue(components.Army, id as unknown as Entity)).toEqual({ army_id: 7, owner: 0xabcn, x: 3, y: 4, troops: 2n ** 100n });

    write("test-Structure", {
      owner: ty.felt(5n),
      category: ty.enum("Category", "Realm"),
      level: ty.u8(2),
      guard: ty.struct("Guard", { count: ty.u128(99n), tier: ty.enum("Tier", "T2") }),
    });
    expect(getComponentValue(components.Structure, id as unknown as Entity)).toEqual({ owner: 5n, category: "Realm", level: 2, guard: { count: 99n, tier: "T2" } });

    write("test-Tile", {
      biome: ty.enum("Biome", "Forest"),
      occupier: ty.none(),
      reward: ty.enum("Reward", "Gold", ty.struct("Gold", { amount: ty.u64(12n), tier: ty.u8(1) })),
      explored: ty.bool(true),
      path: ty.array("Array<u32>", [ty.u32(1), ty.u32(2)]),
    });
    expect(getComponentValue(components.Tile, id as unknown as Entity)).toEqual({
      biome: "Forest",
      // Option None in an optional field: undefined (the component stays visible: the field is optional).
      occupier: undefined,
      reward: { option: "Gold", value: { amount: 12n, tier: 1 } },
      explored: true,
      path: [1, 2],
    });
  });

  it("should hold a partial first update until the component is complete, never writing it half", () => {
    const { components, writer, write } = setup();
    write("test-Army", { x: ty.u32(1), y: ty.u32(2) });
    expect(getComponentValue(components.Army, id as unknown as Entity)).toBeUndefined();
    expect(components.Army.values.x.size).toBe(0);
    expect(writer.heldCount()).toBe(1);
    write("test-Army", { army_id: ty.u32(7), owner: ty.felt(1n), troops: ty.u128(5n), x: ty.u32(9) });
    expect(getComponentValue(components.Army, id as unknown as Entity)).toEqual({ army_id: 7, owner: 1n, x: 9, y: 2, troops: 5n });
    expect(writer.heldCount()).toBe(0);
  });

  it("should update a live component member by member", () => {
    const { components, write } = setup();
    write("test-Army", { army_id: ty.u32(7), owner: ty.felt(1n), troops: ty.u128(5n), x: ty.u32(1), y: ty.u32(1) });
    write("test-Army", { troops: ty.u128(4n) });
    expect(getComponentValue(components.Army, id as unknown as Entity)).toMatchObject({ troops: 4n, x: 1 });
  });

  it("should remove one model, or every synced model of an entity but the survivors", () => {
    const { components, writer, write } = setup();
    write("test-Army", { army_id: ty.u32(7), owner: ty.felt(1n), troops: ty.u128(5n), x: ty.u32(1), y: ty.u32(1) });
    write("test-Structure", { owner: ty.felt(5n), category: ty.enum("C", "Realm"), level: ty.u8(2), guard: ty.struct("G", { count: ty.u128(1n), tier: ty.enum("T", "T1") }) });
    writer.removeEntity(id, new Map([["test-Structure", "all"]]));
    expect(getComponentValue(components.Army, id as unknown as Entity)).toBeUndefined();
    expect(getComponentValue(components.Structure, id as unknown as Entity)).toBeDefined();
    writer.remove(writer.binding("test-Structure") as never, id);
    expect(getComponentValue(components.Structure, id as unknown as Entity)).toBeUndefined();
  });

  it.each([
    ["a string where a number belongs", "x", ty.raw("u32", "seven"), "SYNC_BAD_VALUE"],
    ["a u8 above 255", "x", ty.raw("u8", 300), "SYNC_VALUE_OUT_OF_RANGE"],
    ["a u128 above 2^128", "troops", ty.raw("u128", (2n ** 128n).toString()), "SYNC_VALUE_OUT_OF_RANGE"],
    ["a negative unsigned", "troops", ty.raw("u64", "-1"), "SYNC_VALUE_OUT_OF_RANGE"],
    ["a u64 above 2^64 (out of its Cairo type)", "x", ty.raw("u64", (2n ** 64n).toString()), "SYNC_VALUE_OUT_OF_RANGE"],
    ["a fraction", "x", ty.raw("u32", 1.5), "SYNC_BAD_VALUE"],
    ["a struct where a number belongs", "x", ty.struct("S", { a: ty.u8(1) }), "SYNC_BAD_VALUE"],
    ["a felt above the field prime", "owner", ty.raw("felt252", `0x${"f".repeat(64)}`), "SYNC_VALUE_OUT_OF_RANGE"],
  ])("should reject %s with a typed error and still convert the other members", (_name, member, value, code) => {
    const { writer } = setup();
    const binding = writer.binding("test-Army");
    if (binding === undefined) throw new Error("no binding");
    const converted = writer.convert(binding, id, [[member, value], ["y", ty.u32(3)]]);
    expect(converted.errors).toHaveLength(1);
    expect(converted.errors[0]).toBeInstanceOf(SyncError);
    expect(converted.errors[0]?.code).toBe(code);
    expect(converted.errors[0]?.member).toBe(member);
    expect(converted.values.get("y")).toBe(3);
  });

  it("should refuse a __proto__ member inside a generic struct", () => {
    const { writer } = setup();
    const binding = writer.binding("test-Tile");
    if (binding === undefined) throw new Error("no binding");
    const evil = JSON.parse('{"type":"struct","type_name":"X","key":false,"value":{"__proto__":{"type":"primitive","type_name":"u8","value":1,"key":false}}}');
    const converted = writer.convert(binding, id, [["reward", evil]]);
    expect(converted.errors[0]?.code).toBe("SYNC_FORBIDDEN_KEY");
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });
});
