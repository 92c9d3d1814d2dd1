import { createWorld, defineComponent, getComponentValue, hasComponent, setComponent, Type as RecsType, type Component, type Entity, type Metadata, type Schema, type World } from "@dojoengine/recs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SyncError } from "../../src/core/errors";
import type { ToriiValue } from "../../src/core/types";
import { convertValue, notesOncePerField, type ConversionNotes, type EnumVariantOrder } from "../../src/core/writer/convert";
import { ty } from "../support/ty";

// Components written the way Dojo's generators write them, values shaped the way the wasm client 1.8.2 decodes them
// (checked against the real client over the fake server: enums arrive as `{ option: "Left", value: () }`, with no index).

const entity = "0x1" as Entity;
const unit: ToriiValue = { type: "tuple", type_name: "()", value: [], key: false };
const tuple = (items: ToriiValue[]): ToriiValue => ({ type: "tuple", type_name: `(${items.map((i) => i.type_name).join(", ")})`, value: items, key: false });
const i64 = (value: bigint): ToriiValue => ty.raw("i64", value.toString());
const direction = (option: string): ToriiValue => ty.enum("Direction", option, unit);

/** dojo_starter's `Direction` before Option<Direction> (dojo 0.7–1.0): `None, Left, Right, Up, Down`. */
const OLD_DIRECTION = ["None", "Left", "Right", "Up", "Down"];
const variants: EnumVariantOrder = { Direction: OLD_DIRECTION };

/** dojo_starter as the older generator (dojo.js `generateComponents.cjs` over `sozo model schema`) writes it: enums as Number, arrays as StringArray. */
function defineStarterComponents(world: World) {
  return {
    Moves: defineComponent(
      world,
      { player: RecsType.BigInt, remaining: RecsType.Number, last_direction: RecsType.Number, can_move: RecsType.Boolean },
      { metadata: { namespace: "dojo_starter", name: "Moves", types: ["contractaddress", "u8", "enum", "bool"], customTypes: ["Direction"] } },
    ),
    Position: defineComponent(
      world,
      { player: RecsType.BigInt, vec: { x: RecsType.Number, y: RecsType.Number } },
      { metadata: { namespace: "dojo_starter", name: "Position", types: ["contractaddress", "u32", "u32"], customTypes: ["Vec2"] } },
    ),
    DirectionsAvailable: defineComponent(
      world,
      { player: RecsType.BigInt, directions: RecsType.StringArray },
      { metadata: { namespace: "dojo_starter", name: "DirectionsAvailable", types: ["contractaddress"], customTypes: [] } },
    ),
  };
}

/** dojo_starter's later `Moves { last_direction: Option<Direction> }` with the enum member declared String, as dojo-bindgen's recs plugin declares model-level enums. */
function defineBindgenMoves(world: World) {
  return defineComponent(
    world,
    { player: RecsType.BigInt, remaining: RecsType.Number, last_direction: RecsType.String, can_move: RecsType.Boolean },
    { metadata: { namespace: "dojo_starter", name: "Moves", types: ["ContractAddress", "u8", "Option", "bool"], customTypes: [] } },
  );
}

/** Convert every member by the component's schema (as the writer does) and write the result to RECS. */
function write<S extends Schema>(
  component: Component<S, Metadata, unknown>,
  members: Record<string, ToriiValue>,
  options: { notes?: ConversionNotes; enumVariants?: EnumVariantOrder } = {},
): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(component.schema)) {
    value[field] = convertValue(type, members[field] as ToriiValue, `${(component.metadata as { name: string }).name}.${field}`, options.notes, options.enumVariants);
  }
  setComponent(component, entity, value as never);
  return value;
}

function recordingNotes(): { notes: ConversionNotes; calls: Array<[string, string]> } {
  const calls: Array<[string, string]> = [];
  return { notes: { precisionLoss: (where, raw) => void calls.push([where, raw]) }, calls };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof SyncError) return error.code;
    throw error;
  }
  return undefined;
}

describe("value conventions: integers in Number fields", () => {
  it("should store a u64 above 2^53 in a Number field as the nearest double with one precision-loss note, not tear the component", () => {
    const world = createWorld();
    const Progress = defineComponent(world, { xp: RecsType.Number, level: RecsType.Number }, { metadata: { namespace: "game", name: "Progress", types: ["u64", "u8"], customTypes: [] } });
    const { notes, calls } = recordingNotes();

    write(Progress, { xp: ty.u64(9007199254740993n), level: ty.u8(2) }, { notes });

    expect(getComponentValue(Progress, entity)).toEqual({ xp: 9007199254740992, level: 2 });
    expect(calls).toEqual([["Progress.xp", "9007199254740993"]]);
  });

  it("should keep u64 and i64 values exact up to 2^53 − 1 and note every valid integer past it", () => {
    const { notes, calls } = recordingNotes();
    const number = (value: ToriiValue): unknown => convertValue(RecsType.Number, value, "m.f", notes);

    expect(number(ty.u64(0n))).toBe(0);
    expect(number(ty.u64(123_456_789_012_345n))).toBe(123_456_789_012_345);
    expect(number(ty.u64(9007199254740991n))).toBe(Number.MAX_SAFE_INTEGER);
    expect(number(i64(-9007199254740991n))).toBe(Number.MIN_SAFE_INTEGER);
    expect(calls).toEqual([]);

    expect(number(ty.u64(2n ** 64n - 1n))).toBe(2 ** 64);
    expect(number(i64(-(2n ** 63n)))).toBe(-(2 ** 63));
    expect(number(ty.u128(2n ** 100n + 1n))).toBe(2 ** 100);
    expect(number(ty.felt(2n ** 200n))).toBe(2 ** 200);
    expect(calls.map(([, raw]) => raw)).toEqual(["18446744073709551615", "-9223372036854775808", (2n ** 100n + 1n).toString(), `0x${(2n ** 200n).toString(16).padStart(64, "0")}`]);
  });

  it("should convert any valid u64 decimal exactly as Number(BigInt(text)) would, on the fast path too", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
        expect(convertValue(RecsType.Number, ty.u64(value), "m.f")).toBe(Number(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("should report each field's precision loss once through notesOncePerField", () => {
    const reported: string[] = [];
    const notes = notesOncePerField((where) => reported.push(where));
    for (const xp of [2n ** 60n + 1n, 2n ** 61n + 1n]) convertValue(RecsType.Number, ty.u64(xp), "Progress.xp", notes);
    convertValue(RecsType.NumberArray, ty.array("Array<u64>", [ty.u64(2n ** 60n + 1n), ty.u64(2n ** 60n + 3n)]), "Progress.history", notes);
    expect(reported).toEqual(["Progress.xp", "Progress.history[]"]);
  });

  it("should still refuse integers that do not fit their Cairo type", () => {
    expect(codeOf(() => convertValue(RecsType.Number, ty.raw("u8", 300), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
    expect(codeOf(() => convertValue(RecsType.Number, ty.raw("u8", "300"), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
    expect(codeOf(() => convertValue(RecsType.Number, ty.raw("u64", (2n ** 64n).toString()), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
    expect(codeOf(() => convertValue(RecsType.Number, ty.raw("u64", "-1"), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
    expect(codeOf(() => convertValue(RecsType.Number, i64(2n ** 63n), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
    expect(codeOf(() => convertValue(RecsType.BigInt, ty.raw("u128", (2n ** 128n).toString()), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
    // The field prime itself is not a felt.
    expect(codeOf(() => convertValue(RecsType.BigInt, ty.felt(2n ** 251n + 17n * 2n ** 192n + 1n), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
    expect(convertValue(RecsType.BigInt, ty.felt(2n ** 251n + 17n * 2n ** 192n), "m.f")).toBe(2n ** 251n + 17n * 2n ** 192n);
  });
});

describe("value conventions: dojo_starter", () => {
  it("should store an enum in a Number field (the older generator's Moves.last_direction) as its variant index", () => {
    const { Moves } = defineStarterComponents(createWorld());
    write(Moves, { player: ty.address(0xabcn), remaining: ty.u8(99), last_direction: direction("Right"), can_move: ty.bool(true) }, { enumVariants: variants });
    expect(getComponentValue(Moves, entity)).toEqual({ player: 0xabcn, remaining: 99, last_direction: 2, can_move: true });
  });

  it("should store the variant name in a Number field when the enum's variant order is not known, keeping the component visible", () => {
    const { Moves } = defineStarterComponents(createWorld());
    // Torii's clients send only the variant name: the index cannot be read from the value. Stored as @dojoengine/state does.
    write(Moves, { player: ty.address(1n), remaining: ty.u8(1), last_direction: direction("Up"), can_move: ty.bool(false) });
    expect(getComponentValue(Moves, entity)).toEqual({ player: 1n, remaining: 1, last_direction: "Up", can_move: false });
    // A variant the known order does not list (a newer contract than the client): a bad value, not a name in a Number
    // field the game reads as an index (convert-enum-unknown-variant.test.ts).
    expect(codeOf(() => convertValue(RecsType.Number, direction("Diagonal"), "Moves.last_direction", undefined, variants))).toBe("SYNC_BAD_VALUE");
  });

  it("should convert Position's nested Vec2 and DirectionsAvailable's Array<Direction> into StringArray names", () => {
    const { Position, DirectionsAvailable } = defineStarterComponents(createWorld());
    write(Position, { player: ty.address(7n), vec: ty.struct("Vec2", { x: ty.u32(10), y: ty.u32(11) }) });
    write(DirectionsAvailable, { player: ty.address(7n), directions: ty.array("Array<Direction>", [direction("Left"), direction("Down")]) });
    expect(getComponentValue(Position, entity)).toEqual({ player: 7n, vec: { x: 10, y: 11 } });
    expect(getComponentValue(DirectionsAvailable, entity)).toEqual({ player: 7n, directions: ["Left", "Down"] });
    expect(convertValue(RecsType.NumberArray, ty.array("Array<Direction>", [direction("Left"), direction("Down")]), "m.f", undefined, variants)).toEqual([1, 4]);
  });

  it("should store an enum in a String field as its variant name, and Option<Direction> as the name or null", () => {
    const Moves = defineBindgenMoves(createWorld());
    write(Moves, { player: ty.address(1n), remaining: ty.u8(3), last_direction: ty.some(direction("Left")), can_move: ty.bool(true) });
    expect(getComponentValue(Moves, entity)).toEqual({ player: 1n, remaining: 3, last_direction: "Left", can_move: true });
    write(Moves, { player: ty.address(1n), remaining: ty.u8(3), last_direction: ty.none("Direction"), can_move: ty.bool(true) });
    expect(getComponentValue(Moves, entity)).toEqual({ player: 1n, remaining: 3, last_direction: null, can_move: true });
  });
});

describe("value conventions: Option<T>", () => {
  it("should store None as undefined in an optional field and as null in a non-optional one, the component visible either way", () => {
    const world = createWorld();
    const Tile = defineComponent(world, { occupier: RecsType.OptionalNumber, owner: RecsType.BigInt, level: RecsType.Number }, { metadata: { namespace: "t", name: "Tile" } });
    write(Tile, { occupier: ty.none("u32"), owner: ty.none("ContractAddress"), level: ty.some(ty.u8(4)) });
    expect(hasComponent(Tile, entity)).toBe(true);
    expect(getComponentValue(Tile, entity)).toEqual({ occupier: undefined, owner: null, level: 4 });
    expect(getComponentValue(Tile, entity)?.occupier).toBeUndefined();

    write(Tile, { occupier: ty.some(ty.u32(9)), owner: ty.some(ty.address(5n)), level: ty.u8(1) });
    expect(getComponentValue(Tile, entity)).toEqual({ occupier: 9, owner: 5n, level: 1 });
  });

  it("should not use undefined for None in a non-optional field, because RECS then hides the whole component", () => {
    const world = createWorld();
    const Tile = defineComponent(world, { owner: RecsType.BigInt, level: RecsType.Number }, { metadata: { namespace: "t", name: "Tile" } });
    setComponent(Tile, entity, { owner: undefined, level: 1 } as never);
    expect(getComponentValue(Tile, entity)).toBeUndefined();
    setComponent(Tile, entity, { owner: convertValue(RecsType.BigInt, ty.none("ContractAddress"), "Tile.owner"), level: 1 } as never);
    expect(getComponentValue(Tile, entity)).toEqual({ owner: null, level: 1 });
  });

  it("should store Option<bool> and Option<struct> in a String field as lossless text, not hide the component", () => {
    const world = createWorld();
    const Flags = defineComponent(world, { shielded: RecsType.String, reward: RecsType.String }, { metadata: { namespace: "t", name: "Flags" } });
    const gold = ty.struct("Gold", { amount: ty.u64(2n ** 60n + 1n), tier: ty.u8(3), owner: ty.felt(0xabcn) });
    write(Flags, { shielded: ty.some(ty.bool(true)), reward: ty.some(gold) });
    expect(getComponentValue(Flags, entity)).toEqual({ shielded: "true", reward: `{"amount":"${2n ** 60n + 1n}","tier":3,"owner":"2748"}` });
    write(Flags, { shielded: ty.none("bool"), reward: ty.none("Gold") });
    expect(getComponentValue(Flags, entity)).toEqual({ shielded: null, reward: null });
  });

  it("should store None inside an array, a nested struct or a generic value as null", () => {
    expect(convertValue(RecsType.NumberArray, ty.array("Array<Option<u32>>", [ty.some(ty.u32(1)), ty.none("u32")]), "m.f")).toEqual([1, null]);
    expect(convertValue({ at: RecsType.OptionalNumber, by: RecsType.Number }, ty.struct("S", { at: ty.none("u32"), by: ty.none("u32") }), "m.f")).toEqual({ at: undefined, by: null });
    expect(convertValue({ x: RecsType.Number }, ty.none("Vec2"), "m.f")).toBeNull();
    expect(convertValue(RecsType.T, ty.none("u32"), "m.f")).toBeNull();
    expect(convertValue(RecsType.OptionalT, ty.none("u32"), "m.f")).toBeUndefined();
    expect(convertValue(RecsType.T, ty.struct("S", { a: ty.none("u32"), b: ty.some(ty.u64(5n)) }), "m.f")).toEqual({ a: null, b: 5n });
  });
});

describe("value conventions: shapes a field type cannot hold natively", () => {
  it("should store Array<struct> in a StringArray field as one JSON text per element", () => {
    const world = createWorld();
    const Squad = defineComponent(world, { members: RecsType.StringArray }, { metadata: { namespace: "t", name: "Squad", types: ["array"], customTypes: [] } });
    const member = (id: number, xp: bigint) => ty.struct("Member", { id: ty.u32(id), xp: ty.u64(xp), rank: ty.enum("Rank", "Captain") });
    write(Squad, { members: ty.array("Array<Member>", [member(1, 5n), member(2, 2n ** 64n - 1n)]) });
    expect(getComponentValue(Squad, entity)).toEqual({
      members: ['{"id":1,"xp":"5","rank":{"option":"Captain","value":[]}}', `{"id":2,"xp":"${2n ** 64n - 1n}","rank":{"option":"Captain","value":[]}}`],
    });
    const parsed = JSON.parse(getComponentValue(Squad, entity)?.members[1] ?? "") as { xp: string };
    expect(BigInt(parsed.xp)).toBe(2n ** 64n - 1n);
  });

  it("should store scalars in a StringArray as text (Array<u32> from the older generator, which maps every array to StringArray)", () => {
    expect(convertValue(RecsType.StringArray, ty.array("Array<u32>", [ty.u32(1), ty.u32(2)]), "m.f")).toEqual(["1", "2"]);
    expect(convertValue(RecsType.StringArray, ty.array("Array<felt252>", [ty.felt(10n)]), "m.f")).toEqual([`0x${"a".padStart(64, "0")}`]);
    expect(convertValue(RecsType.StringArray, ty.array("Array<bool>", [ty.bool(false)]), "m.f")).toEqual(["false"]);
  });

  it("should store a struct, a bool, a tuple or an array in a String field as JSON text with bigints in decimal", () => {
    expect(convertValue(RecsType.String, ty.struct("Vec2", { x: ty.u32(1), y: ty.u32(2) }), "m.f")).toBe('{"x":1,"y":2}');
    expect(convertValue(RecsType.String, ty.bool(false), "m.f")).toBe("false");
    expect(convertValue(RecsType.String, tuple([ty.u8(1), ty.u128(2n ** 100n)]), "m.f")).toBe(`[1,"${2n ** 100n}"]`);
    expect(convertValue(RecsType.String, ty.array("Array<u64>", [ty.u64(7n)]), "m.f")).toBe('["7"]');
    expect(convertValue(RecsType.String, ty.bytes("hello"), "m.f")).toBe("hello");
    expect(convertValue(RecsType.String, ty.u64(2n ** 63n), "m.f")).toBe((2n ** 63n).toString());
  });

  it("should store an enum with a payload in a String field as its name, and keep the payload in a T field", () => {
    const reward = ty.enum("Reward", "Gold", ty.struct("Gold", { amount: ty.u64(12n) }));
    expect(convertValue(RecsType.String, reward, "m.f")).toBe("Gold");
    expect(convertValue(RecsType.T, reward, "m.f")).toEqual({ option: "Gold", value: { amount: 12n } });
  });

  it("should read the older generator's tuple schema and bindgen's enum definition inside a struct", () => {
    // `Span<(u8, u128)>`'s element, as generateComponents.cjs writes a tuple: `[RecsType.Number, RecsType.BigInt]`.
    expect(convertValue([RecsType.Number, RecsType.BigInt] as unknown as Schema, tuple([ty.u8(1), ty.u128(2n ** 70n)]), "m.f")).toEqual([1, 2n ** 70n]);
    // @dojoengine/state reads `[S]` as an array of S.
    expect(convertValue([{ x: RecsType.Number }] as unknown as Schema, ty.array("Array<P>", [ty.struct("P", { x: ty.u32(1) }), ty.struct("P", { x: ty.u32(2) })]), "m.f")).toEqual([{ x: 1 }, { x: 2 }]);
    // dojo-bindgen's recs plugin: `DirectionDefinition = { type: RecsType.String, value: RecsType.String }`.
    const schema = { player: RecsType.BigInt, facing: { type: RecsType.String, value: RecsType.String } };
    expect(convertValue(schema, ty.struct("Pawn", { player: ty.address(1n), facing: direction("Up") }), "m.f")).toEqual({ player: 1n, facing: { type: "Up" } });
    expect(convertValue(schema.facing, ty.enum("Move", "To", ty.struct("Vec2", { x: ty.u32(1), y: ty.u32(2) })), "m.f")).toEqual({ type: "To", value: '{"x":1,"y":2}' });
  });

  it("should accept fixed-size arrays in both encodings the clients use", () => {
    const fixed = (value: unknown): ToriiValue => ({ type: "fixed_size_array", type_name: "[u32; 2]", value, key: false });
    expect(convertValue(RecsType.NumberArray, fixed({ array: [ty.u32(1), ty.u32(2)], size: 2 }), "m.f")).toEqual([1, 2]);
    expect(convertValue(RecsType.NumberArray, fixed([ty.u32(3), ty.u32(4)]), "m.f")).toEqual([3, 4]);
  });
});

describe("value conventions: malformed values", () => {
  it.each<[string, Schema[string], ToriiValue, string]>([
    ["text that is not a number in a Number field", RecsType.Number, ty.raw("u32", "seven"), "SYNC_BAD_VALUE"],
    ["a fraction", RecsType.Number, ty.raw("u32", 1.5), "SYNC_BAD_VALUE"],
    ["a struct in a Number field", RecsType.Number, ty.struct("Vec2", { x: ty.u32(1) }), "SYNC_BAD_VALUE"],
    ["a ByteArray in a BigInt field", RecsType.BigInt, ty.bytes("hi"), "SYNC_BAD_VALUE"],
    ["a number in a Boolean field", RecsType.Boolean, ty.u8(1), "SYNC_BAD_VALUE"],
    ["a scalar in a NumberArray field", RecsType.NumberArray, ty.u32(1), "SYNC_BAD_VALUE"],
    ["an enum without an option", RecsType.String, { type: "enum", type_name: "Direction", value: null, key: false }, "SYNC_BAD_VALUE"],
    ["a struct lacking a member of the schema", { x: RecsType.Number, y: RecsType.Number }, ty.struct("Vec2", { x: ty.u32(1) }), "SYNC_BAD_VALUE"],
    ["a tuple of the wrong length", [RecsType.Number, RecsType.Number, RecsType.Number] as unknown as Schema, tuple([ty.u8(1), ty.u8(2)]), "SYNC_BAD_VALUE"],
    ["something that is not a Torii value", RecsType.Number, { value: 1 } as unknown as ToriiValue, "SYNC_BAD_PAYLOAD"],
    ["an Option whose payload is not a Torii value", RecsType.Number, { type: "enum", type_name: "Option<u32>", value: { option: "Some", value: 5 }, key: false }, "SYNC_BAD_PAYLOAD"],
  ])("should reject %s with a typed error", (_name, schemaType, value, code) => {
    expect(codeOf(() => convertValue(schemaType, value, "m.f"))).toBe(code);
  });

  it("should refuse prototype member names in generic values and in the JSON text form", () => {
    const evil = JSON.parse('{"type":"struct","type_name":"X","key":false,"value":{"__proto__":{"type":"primitive","type_name":"u8","value":1,"key":false}}}') as ToriiValue;
    expect(codeOf(() => convertValue(RecsType.T, evil, "m.f"))).toBe("SYNC_FORBIDDEN_KEY");
    expect(codeOf(() => convertValue(RecsType.String, evil, "m.f"))).toBe("SYNC_FORBIDDEN_KEY");
    expect(codeOf(() => convertValue(RecsType.StringArray, ty.array("Array<X>", [evil]), "m.f"))).toBe("SYNC_FORBIDDEN_KEY");
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });
});

describe("value conventions: the cases of writer.test.ts", () => {
  // test/support/world.ts's components, each writer.test.ts input converted by its field type. Three expectations there
  // change under these rules; they are marked CHANGED and reported to the lead.
  it.each<[string, Schema[string], ToriiValue, unknown]>([
    ["Army.army_id u32", RecsType.Number, ty.u32(7), 7],
    ["Army.owner ContractAddress", RecsType.BigInt, ty.address(0xabcn), 0xabcn],
    ["Army.troops u128", RecsType.BigInt, ty.u128(2n ** 100n), 2n ** 100n],
    ["Structure.owner felt", RecsType.BigInt, ty.felt(5n), 5n],
    ["Structure.category enum", RecsType.String, ty.enum("Category", "Realm"), "Realm"],
    ["Structure.level u8", RecsType.Number, ty.u8(2), 2],
    ["Structure.guard struct", { count: RecsType.BigInt, tier: RecsType.String }, ty.struct("Guard", { count: ty.u128(99n), tier: ty.enum("Tier", "T2") }), { count: 99n, tier: "T2" }],
    ["Tile.biome enum", RecsType.String, ty.enum("Biome", "Forest"), "Forest"],
    ["Tile.occupier None (CHANGED: undefined, was null)", RecsType.OptionalNumber, ty.none(), undefined],
    ["Tile.reward enum with payload", RecsType.T, ty.enum("Reward", "Gold", ty.struct("Gold", { amount: ty.u64(12n), tier: ty.u8(1) })), { option: "Gold", value: { amount: 12n, tier: 1 } }],
    ["Tile.explored bool", RecsType.Boolean, ty.bool(true), true],
    ["Tile.path Array<u32>", RecsType.NumberArray, ty.array("Array<u32>", [ty.u32(1), ty.u32(2)]), [1, 2]],
    ["Army.x u64 2^60 (CHANGED: the nearest double, was SYNC_VALUE_OUT_OF_RANGE)", RecsType.Number, ty.raw("u64", (2n ** 60n).toString()), 2 ** 60],
    ["Army.x enum (CHANGED: the variant name, was SYNC_BAD_VALUE)", RecsType.Number, ty.enum("E", "A"), "A"],
  ])("should convert %s", (_name, schemaType, value, expected) => {
    expect(convertValue(schemaType, value, "m.f")).toEqual(expected);
  });

  it.each<[string, Schema[string], ToriiValue, string]>([
    ["a string where a number belongs", RecsType.Number, ty.raw("u32", "seven"), "SYNC_BAD_VALUE"],
    ["a u8 above 255", RecsType.Number, ty.raw("u8", 300), "SYNC_VALUE_OUT_OF_RANGE"],
    ["a u128 above 2^128", RecsType.BigInt, ty.raw("u128", (2n ** 128n).toString()), "SYNC_VALUE_OUT_OF_RANGE"],
    ["a negative unsigned", RecsType.BigInt, ty.raw("u64", "-1"), "SYNC_VALUE_OUT_OF_RANGE"],
    ["a fraction", RecsType.Number, ty.raw("u32", 1.5), "SYNC_BAD_VALUE"],
    ["a felt above the field prime", RecsType.BigInt, ty.raw("felt252", `0x${"f".repeat(64)}`), "SYNC_VALUE_OUT_OF_RANGE"],
  ])("should still reject %s", (_name, schemaType, value, code) => {
    expect(codeOf(() => convertValue(schemaType, value, "m.f"))).toBe(code);
  });
});
