import { createWorld, defineComponent, getComponentValue, Type as RecsType, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";

function defineGame() {
  const world = createWorld();
  return {
    world,
    components: {
      Player: defineComponent(world, { xp: RecsType.Number, level: RecsType.Number }, { metadata: { namespace: "game", name: "Player", types: ["u64", "u8"], customTypes: [] } }),
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

const player = (id: number) => getComponentValue(game.components.Player, paddedId(id) as Entity);
const settle = () => vi.advanceTimersByTimeAsync(100);

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "game-Player": { xp: ty.u64(1000n), level: ty.u8(1) } })];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("a valid update coalesced with another update whose member cannot be converted", () => {
  it("control: drained apart, the valid member update lands and only the bad one is kept out", async () => {
    await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(6) } }));
    await settle();
    client.emit(rawEntity(1, 111, { "game-Player": { xp: ty.raw("u64", "not a number") } }));
    await settle();
    expect(player(1)).toEqual({ xp: 1000, level: 6 });
  });

  it("should land a valid member update even when a later update with a bad member is coalesced with it", async () => {
    await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(6) } }));
    client.emit(rawEntity(1, 111, { "game-Player": { xp: ty.raw("u64", "not a number") } }));
    await settle();
    expect(player(1)).toEqual({ xp: 1000, level: 6 });
  });

  it("should keep the bad update out whole, its valid members too, when it is coalesced with others", async () => {
    await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(6) } }));
    client.emit(rawEntity(1, 111, { "game-Player": { xp: ty.raw("u64", "not a number"), level: ty.u8(9) } }));
    client.emit(rawEntity(2, 111, { "game-Player": { xp: ty.u64(5n), level: ty.u8(2) } }));
    await settle();
    // Entity 1's row held the bad update's level (newer than 6): it stays out with the bad xp, nothing torn lands.
    expect(player(1)).toEqual({ xp: 1000, level: 1 });
    expect(player(2)).toEqual({ xp: 5, level: 2 });
    expect(pipeline?.metrics().rejected).toBeGreaterThan(0);
  });
});

// Torii's block times are whole seconds: two updates of one component often share one. Coalesced into one pending row,
// the drain cannot tell them apart by time, so they are told apart where they meet (src/core/pending-ties.ts).
const bad = ty.raw("u64", "not a number");

describe("a valid update and a bad one of the same component in the same block second", () => {
  it("should land the valid update when the bad one arrives after it", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(6) } }));
    client.emit(rawEntity(1, 110, { "game-Player": { xp: bad } }));
    await settle();
    expect(player(1)).toEqual({ xp: 1000, level: 6 });
    expect(p.metrics().rejected).toBe(1);
    expect(p.metrics().rejectedByCode.SYNC_BAD_VALUE).toBe(1);
  });

  it("should land the valid update when the bad one arrives first", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { xp: bad } }));
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(6) } }));
    await settle();
    expect(player(1)).toEqual({ xp: 1000, level: 6 });
    expect(p.metrics().rejected).toBe(1);
  });

  it("should keep the bad update out whole, its valid members too", async () => {
    await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(6) } }));
    client.emit(rawEntity(1, 110, { "game-Player": { xp: bad, level: ty.u8(9) } }));
    await settle();
    expect(player(1)).toEqual({ xp: 1000, level: 6 });
  });

  it("should land every valid update of the second, however many meet, and none of the bad ones", async () => {
    await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(6) } }));
    client.emit(rawEntity(1, 110, { "game-Player": { xp: bad, level: ty.u8(9) } }));
    client.emit(rawEntity(1, 110, { "game-Player": { xp: ty.u64(2000n) } }));
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.raw("u8", 300) } }));
    await settle();
    expect(player(1)).toEqual({ xp: 2000, level: 6 });
  });

  it("should still apply ties in arrival order when every update is valid", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(6) } }));
    client.emit(rawEntity(1, 110, { "game-Player": { level: ty.u8(7), xp: ty.u64(5n) } }));
    await settle();
    expect(player(1)).toEqual({ xp: 5, level: 7 });
    expect(p.metrics().rejected).toBe(0);
  });
});
