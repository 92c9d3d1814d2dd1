import { createWorld, defineComponent, getComponentValue, Type as RecsType, type Component, type Entity, type Metadata, type Schema, type World } from "@dojoengine/recs";
import { paddedId } from "./ty";

/** A small game schema like Dojo's codegen makes: metadata names the Torii model. */
export function defineTestComponents(world: World) {
  return {
    Army: defineComponent(
      world,
      { army_id: RecsType.Number, owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, troops: RecsType.BigInt },
      { metadata: { namespace: "test", name: "Army", types: ["u32", "contractaddress", "u32", "u32", "u128"], customTypes: [] } },
    ),
    Structure: defineComponent(
      world,
      { owner: RecsType.BigInt, category: RecsType.String, level: RecsType.Number, guard: { count: RecsType.BigInt, tier: RecsType.String } },
      { metadata: { namespace: "test", name: "Structure", types: ["contractaddress", "enum", "u8", "u128", "enum"], customTypes: ["Guard"] } },
    ),
    Tile: defineComponent(
      world,
      { biome: RecsType.String, occupier: RecsType.OptionalNumber, reward: RecsType.T, explored: RecsType.Boolean, path: RecsType.NumberArray },
      { metadata: { namespace: "test", name: "Tile", types: ["enum", "u32", "enum", "bool", "array"], customTypes: [] } },
    ),
  };
}

export type TestComponents = ReturnType<typeof defineTestComponents>;

export function createTestWorld(): { world: World; components: TestComponents } {
  const world = createWorld();
  return { world, components: defineTestComponents(world) };
}

export function valueOf<S extends Schema>(component: Component<S, Metadata, unknown>, id: number): ReturnType<typeof getComponentValue<S>> {
  return getComponentValue(component, paddedId(id) as Entity);
}
