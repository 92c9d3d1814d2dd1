import { beforeEach, describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { connectToriiClient, fetchAllPages, minimalHex, startFakeTorii, waitFor } from "../../src/testing";
import type { DecodedEntity, DecodedTy, FakeTorii, WasmClause, WasmEntity, WasmToriiClient, WorldChange } from "../../src/testing";

/** Reads `a.b` inside a decoded model, stepping through struct members and enum payloads. */
function valueAt(entity: DecodedEntity | WasmEntity, tag: string, path: string): unknown {
  const model = entity.models[tag] as Record<string, DecodedTy> | undefined;
  if (model === undefined) return undefined;
  const [head, ...rest] = path.split(".");
  let ty: DecodedTy | undefined = model[head ?? ""];
  for (const part of rest) {
    if (ty === undefined) return undefined;
    if (ty.type === "struct") ty = (ty.value as Record<string, DecodedTy>)[part];
    else if (ty.type === "enum") {
      const e = ty.value as { option: string; value: DecodedTy };
      ty = e.option === part ? e.value : undefined;
    } else return undefined;
  }
  if (ty === undefined) return undefined;
  return ty.type === "enum" ? (ty.value as { option: string }).option : ty.value;
}

const ids = (entities: readonly (DecodedEntity | WasmEntity)[]): string[] => entities.map((e) => e.hashed_keys).sort();

describe("fake Torii: clause filtering on pages", () => {
  const torii = releaseAfterEach();
  let fake: FakeTorii;
  let client: WasmToriiClient;
  let all: DecodedEntity[];

  beforeEach(async () => {
    fake = torii.fake(await startFakeTorii({ seed: 31 }));
    fake.world.step(80);
    client = torii.client(await connectToriiClient(fake));
    all = fake.world.entities();
  });

  const page = async (clause: WasmClause, models: string[] = []): Promise<WasmEntity[]> => (await fetchAllPages(client, { clause, limit: 7, models })).items;

  it("should match HashedKeys by id, whatever hex form the client sends", async () => {
    const chosen = [all[0], all[5], all[9]].map((e) => e?.hashed_keys ?? "");
    const padded = chosen.map((id) => `0x${id.slice(2).padStart(64, "0")}`);
    expect(ids(await page({ HashedKeys: padded }))).toEqual([...chosen].sort());
  });

  it("should match Keys FixedLen with wildcards and VariableLen as a prefix", async () => {
    const fixed = await page({ Keys: { keys: [undefined, "0x3"], pattern_matching: "FixedLen", models: [] } });
    expect(fixed.length).toBeGreaterThan(0);
    expect(ids(fixed)).toEqual(ids(all.filter((e) => valueAt(e, "blitz-Tile", "row") === 3)));

    const variable = await page({ Keys: { keys: ["0x2"], pattern_matching: "VariableLen", models: [] } });
    const expected = all.filter((e) => valueAt(e, "blitz-Tile", "col") === 2 || valueAt(e, "blitz-Structure", "entity_id") === 2);
    expect(ids(variable)).toEqual(ids(expected));

    const none = await page({ Keys: { keys: ["0x2"], pattern_matching: "FixedLen", models: ["blitz-Tile"] } });
    expect(none).toEqual([]);
  });

  it("should restrict a Keys clause to its models and send only those models", async () => {
    const production = await page({ Keys: { keys: [undefined], pattern_matching: "VariableLen", models: ["blitz-Production"] } });
    expect(ids(production)).toEqual(ids(all.filter((e) => e.models["blitz-Production"] !== undefined)));
    for (const e of production) expect(Object.keys(e.models)).toEqual(["blitz-Production"]);
  });

  it("should compare members with every operator", async () => {
    const armies = all.filter((e) => e.models["blitz-Army"] !== undefined);
    const x = (e: DecodedEntity): number => valueAt(e, "blitz-Army", "coord.x") as number;
    const member = (member: string, operator: string, value: unknown): WasmClause =>
      ({ Member: { model: "blitz-Army", member, operator, value } }) as WasmClause;

    const cases: [WasmClause, (e: DecodedEntity) => boolean][] = [
      [member("coord.x", "Eq", { Primitive: { U32: 3 } }), (e) => x(e) === 3],
      [member("coord.x", "Neq", { Primitive: { U32: 3 } }), (e) => x(e) !== 3],
      [member("coord.x", "Gt", { Primitive: { U32: 3 } }), (e) => x(e) > 3],
      [member("coord.x", "Gte", { Primitive: { U32: 3 } }), (e) => x(e) >= 3],
      [member("coord.x", "Lt", { Primitive: { U32: 3 } }), (e) => x(e) < 3],
      [member("coord.x", "Lte", { Primitive: { U32: 3 } }), (e) => x(e) <= 3],
      [member("coord.x", "In", { List: [{ Primitive: { U32: 1 } }, { Primitive: { U32: 4 } }] }), (e) => [1, 4].includes(x(e))],
      [member("coord.x", "NotIn", { List: [{ Primitive: { U32: 1 } }, { Primitive: { U32: 4 } }] }), (e) => ![1, 4].includes(x(e))],
      [member("troops.category", "Eq", { String: "Knight" }), (e) => valueAt(e, "blitz-Army", "troops.category") === "Knight"],
      [
        member("troops.count", "Gte", { Primitive: { U128: "200000000000000000000" } }),
        (e) => BigInt(valueAt(e, "blitz-Army", "troops.count") as string) >= 200_000_000_000_000_000_000n,
      ],
      [member("stamina.amount", "Lt", { Primitive: { U64: 80 } }), (e) => BigInt(valueAt(e, "blitz-Army", "stamina.amount") as string) < 80n],
    ];
    for (const [clause, predicate] of cases) {
      const expected = armies.filter(predicate);
      expect(ids(await page(clause)), JSON.stringify(clause)).toEqual(ids(expected));
    }
  });

  it("should compare addresses and Option payloads", async () => {
    const owner = valueAt(all.find((e) => e.models["blitz-Structure"] !== undefined) as DecodedEntity, "blitz-Structure", "owner") as string;
    const owned = await page({ Member: { model: "blitz-Structure", member: "owner", operator: "In", value: { List: [{ Primitive: { ContractAddress: owner } }] } } });
    expect(ids(owned)).toEqual(ids(all.filter((e) => valueAt(e, "blitz-Structure", "owner") === owner)));

    const discovered = await page({ Member: { model: "blitz-Tile", member: "discovered_by.Some", operator: "Eq", value: { Primitive: { ContractAddress: owner } } } });
    expect(discovered.length).toBeGreaterThan(0);
    expect(ids(discovered)).toEqual(ids(all.filter((e) => valueAt(e, "blitz-Tile", "discovered_by.Some") === owner)));
  });

  it("should combine clauses with And and Or", async () => {
    const knightsRight: WasmClause = {
      Composite: {
        operator: "And",
        clauses: [
          { Member: { model: "blitz-Army", member: "troops.category", operator: "Eq", value: { String: "Knight" } } },
          { Member: { model: "blitz-Army", member: "coord.x", operator: "Gte", value: { Primitive: { U32: 4 } } } },
        ],
      },
    };
    expect(ids(await page(knightsRight))).toEqual(ids(all.filter((e) => valueAt(e, "blitz-Army", "troops.category") === "Knight" && (valueAt(e, "blitz-Army", "coord.x") as number) >= 4)));

    const either: WasmClause = {
      Composite: {
        operator: "Or",
        clauses: [{ HashedKeys: [all[1]?.hashed_keys ?? ""] }, { Keys: { keys: ["0x7", "0x7"], pattern_matching: "FixedLen", models: [] } }],
      },
    };
    expect(ids(await page(either))).toEqual(ids(all.filter((e) => e === all[1] || (valueAt(e, "blitz-Tile", "col") === 7 && valueAt(e, "blitz-Tile", "row") === 7))));
  });
});

describe("fake Torii: clause filtering on streams", () => {
  const torii = releaseAfterEach();
  let fake: FakeTorii | undefined;
  let client: WasmToriiClient | undefined;

  it("should send each subscriber only the updates its clause selects", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 32 }));
    client = torii.client(await connectToriiClient(fake));
    const world = fake.world;
    const changes: WorldChange[] = [];
    world.subscribe({ onChange: (c) => c.kind === "entity" && changes.push(c) });
    const structureOne = world.entity({ keys: [1] });
    if (structureOne === undefined) throw new Error("structure 1 missing");

    const streams: { clause: WasmClause; wants: (c: WorldChange) => boolean; got: WasmEntity[] }[] = [
      { clause: { HashedKeys: [structureOne.hashed_keys] }, wants: (c) => minimalHex(BigInt(c.entityId)) === structureOne.hashed_keys, got: [] },
      { clause: { Keys: { keys: [undefined, undefined], pattern_matching: "FixedLen", models: [] } }, wants: (c) => c.keys.length === 2, got: [] },
      {
        clause: { Keys: { keys: [undefined], pattern_matching: "VariableLen", models: ["blitz-Production"] } },
        wants: (c) => c.entity.models.some((m) => m.name === "blitz-Production"),
        got: [],
      },
    ];
    for (const s of streams) torii.keep(await client.onEntityUpdated(s.clause, [fake.worldAddress], (e: WasmEntity) => s.got.push(e)));

    world.step(60);
    // One sentinel per stream: streams are ordered, so once it arrives everything before it has arrived.
    world.updateMembers({ keys: [1] }, "blitz-Structure", { level: 9 });
    world.setModel({ keys: [0, 0] }, "blitz-Tile", { biome: "Snow", occupier_id: 77, explored_at: 5, discovered_by: null });
    world.updateMembers({ keys: [1] }, "blitz-Production", { production_rate: 99 });
    for (const s of streams) {
      const expected = changes.filter(s.wants).map((c) => minimalHex(BigInt(c.entityId)));
      await waitFor(() => s.got.length >= expected.length, { description: JSON.stringify(s.clause) });
      expect(s.got.map((e) => e.hashed_keys)).toEqual(expected);
    }
    for (const e of streams[2]?.got ?? []) expect(Object.keys(e.models)).toEqual(["blitz-Production"]);
  });

  it("should match a Member clause against the entity's full state, so partial updates and deletes still arrive", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 33, world: { seed: 33, activity: false } }));
    client = torii.client(await connectToriiClient(fake));
    const alice = "0x0a11ce";
    const bob = "0x0b0b";
    const army = (owner: string) => ({ owner, coord: { x: 1, y: 1 }, troops: { category: "Knight", tier: "T1", count: 5 }, stamina: { amount: 10, updated_tick: 1 } });
    fake.world.setModel({ keys: [1] }, "blitz-Army", army(alice));
    fake.world.setModel({ keys: [2] }, "blitz-Army", army(bob));
    const got: WasmEntity[] = [];
    torii.keep(
      await client.onEntityUpdated({ Member: { model: "blitz-Army", member: "owner", operator: "Eq", value: { Primitive: { ContractAddress: alice } } } }, [], (e: WasmEntity) => got.push(e)),
    );

    fake.world.updateMembers({ keys: [2] }, "blitz-Army", { stamina: { amount: 1, updated_tick: 2 } });
    fake.world.updateMembers({ keys: [1] }, "blitz-Army", { stamina: { amount: 2, updated_tick: 2 } });
    fake.world.deleteModel({ keys: [2] }, "blitz-Army");
    fake.world.deleteModel({ keys: [1] }, "blitz-Army");

    await waitFor(() => got.length >= 2);
    const aliceId = fake.world.modelValues({ keys: [1] }, "blitz-Army");
    expect(aliceId).toBeUndefined();
    expect(got.map((e) => Object.keys(e.models["blitz-Army"] ?? {}))).toEqual([["stamina"], []]);
  });
});
