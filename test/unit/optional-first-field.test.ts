import { createWorld, defineComponent, getComponentValue, Has, runQuery, Type as RecsType, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";

// A component whose FIRST schema field is optional (RECS's hasComponent looks only at the first field's Map).
function defineGame() {
  const world = createWorld();
  return {
    world,
    components: {
      Bonus: defineComponent(world, { bonus: RecsType.OptionalNumber, level: RecsType.Number }, { metadata: { namespace: "game", name: "Bonus", types: ["u32", "u8"], customTypes: [] } }),
    },
  };
}

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let game: ReturnType<typeof defineGame>;

async function streaming(): Promise<SyncPipeline> {
  game = defineGame();
  pipeline = createSyncPipeline({ client, world: game.world, components: game.components, environment: noPageEnvironment });
  await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
  return pipeline;
}

const bonusOf = (id: number) => getComponentValue(game.components.Bonus, paddedId(id) as Entity);
const settle = () => vi.advanceTimersByTimeAsync(100);

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("a component whose first schema field is optional and never sent", () => {
  it("should be found by Has queries and hasComponent from its first write on (RECS looks at the first field's Map)", async () => {
    await streaming();
    client.emit(rawEntity(1, 110, { "game-Bonus": { level: ty.u8(3) } }));
    await settle();
    expect(bonusOf(1)).toEqual({ bonus: undefined, level: 3 });
    expect([...runQuery([Has(game.components.Bonus)])]).toEqual([paddedId(1)]);
    expect([...game.components.Bonus.entities()]).toEqual([paddedId(1)]);
  });

  it("should remove the component on a model delete", async () => {
    await streaming();
    // A member update carrying only the required member: the component is complete and visible.
    client.emit(rawEntity(1, 110, { "game-Bonus": { level: ty.u8(3) } }));
    await settle();
    expect(bonusOf(1)).toEqual({ bonus: undefined, level: 3 });
    client.emit(rawEntity(1, 120, { "game-Bonus": {} }));
    await settle();
    expect(bonusOf(1)).toBeUndefined();
  });

  it("should remove the component on a whole-entity delete", async () => {
    await streaming();
    client.emit(rawEntity(1, 110, { "game-Bonus": { level: ty.u8(3) } }));
    await settle();
    expect(bonusOf(1)?.level).toBe(3);
    client.emit({ ...rawEntity(1, 120, {}), models: {} });
    await settle();
    expect(bonusOf(1)).toBeUndefined();
  });
});
