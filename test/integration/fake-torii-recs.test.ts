import { createWorld, getComponentValue } from "@dojoengine/recs";
import type { Entity } from "@dojoengine/recs";
import { setEntities } from "@dojoengine/state";
import { describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { BLITZ_MODEL_TAGS, connectToriiClient, defineBlitzComponents, fetchAllPages, startFakeTorii } from "../../src/testing";
import type { FakeTorii, WasmToriiClient } from "../../src/testing";

describe("fake Torii: RECS components for the Blitz world", () => {
  const torii = releaseAfterEach();
  let fake: FakeTorii | undefined;
  let client: WasmToriiClient | undefined;

  it("should define one component per model, matched to its tag through metadata", () => {
    const components = defineBlitzComponents(createWorld());
    const tags = Object.values(components).map((c) => `${c.metadata.namespace}-${c.metadata.name}`);
    expect(tags).toEqual([...BLITZ_MODEL_TAGS]);
    expect(components.Army.metadata.types).toEqual(["u32", "ContractAddress", "u32", "u32", "enum", "enum", "u128", "u64", "u64"]);
  });

  it("should take what the real client decodes through @dojoengine/state's setEntities", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 61, world: { seed: 61, activity: false } }));
    const army = fake.world.setModel({ keys: [1001] }, "blitz-Army", {
      owner: "0x0b1172",
      coord: { x: 3, y: 4 },
      troops: { category: "Paladin", tier: "T2", count: 1_500_000_000_000_000_000n },
      stamina: { amount: 90, updated_tick: 1000 },
    });
    fake.world.setModel({ keys: [3, 4] }, "blitz-Tile", { biome: "Forest", occupier_id: 1001, explored_at: 1_700_000_000, discovered_by: "0x0b1172" });
    fake.world.setModel({ keys: [3, 5] }, "blitz-Tile", { biome: "Snow", occupier_id: 0, explored_at: 0, discovered_by: null });
    client = torii.client(await connectToriiClient(fake));
    const components = defineBlitzComponents(createWorld());

    const { items } = await fetchAllPages(client);
    await setEntities(items, Object.values(components));

    const armyEntity = `0x${BigInt(army.entityId).toString(16)}` as Entity;
    expect(getComponentValue(components.Army, armyEntity)).toEqual({
      explorer_id: 1001,
      owner: 0xb1172n,
      coord: { x: 3, y: 4 },
      troops: { category: "Paladin", tier: "T2", count: 1_500_000_000_000_000_000n },
      stamina: { amount: 90n, updated_tick: 1000n },
    });
    const tiles = items.filter((e) => e.models["blitz-Tile"] !== undefined).map((e) => getComponentValue(components.Tile, e.hashed_keys as Entity));
    expect(tiles).toContainEqual({ col: 3, row: 4, biome: "Forest", occupier_id: 1001, explored_at: 1_700_000_000n, discovered_by: 0xb1172n });
    expect(tiles).toContainEqual({ col: 3, row: 5, biome: "Snow", occupier_id: 0, explored_at: 0n, discovered_by: null });
  });
});
