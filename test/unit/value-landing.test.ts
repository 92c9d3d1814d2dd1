import { createWorld, defineComponent, getComponentValue, Type as RecsType, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";

/** Schemas as Dojo's codegen writes them: a u64 declared Number, and dojo_starter's Moves with its enum as Number. */
function defineGame() {
  const world = createWorld();
  return {
    world,
    components: {
      Player: defineComponent(world, { xp: RecsType.Number, level: RecsType.Number }, { metadata: { namespace: "game", name: "Player", types: ["u64", "u8"], customTypes: [] } }),
      Moves: defineComponent(
        world,
        { player: RecsType.BigInt, remaining: RecsType.Number, last_direction: RecsType.Number, can_move: RecsType.Boolean },
        { metadata: { namespace: "dojo_starter", name: "Moves", types: ["contractaddress", "u8", "enum", "bool"], customTypes: ["Direction"] } },
      ),
    },
  };
}

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let game: ReturnType<typeof defineGame>;

async function streaming(extra: Partial<SyncPipelineOptions> = {}): Promise<SyncPipeline> {
  game = defineGame();
  pipeline = createSyncPipeline({ client, world: game.world, components: game.components, environment: noPageEnvironment, ...extra });
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

describe("valid Cairo values land whole, as Dojo's codegen conventions say", () => {
  it("should store a u64 past 2^53 in a Number field as the nearest double, with one SYNC_PRECISION_LOSS warning counted", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { xp: ty.raw("u64", "9007199254740993"), level: ty.u8(2) } }));
    client.emit(rawEntity(2, 110, { "game-Player": { xp: ty.raw("u64", "18446744073709551615"), level: ty.u8(1) } }));
    await settle();
    expect(player(1)).toEqual({ xp: 9007199254740992, level: 2 });
    expect(player(2)?.xp).toBe(2 ** 64);
    expect(p.metrics().warningsByCode.SYNC_PRECISION_LOSS).toBe(2);
    expect(p.metrics().rejected).toBe(0);
  });

  it("should store an enum in a Number field as its variant index, given the variant order", async () => {
    client.rows = [];
    await streaming({ enumVariants: { Direction: ["None", "Left", "Right", "Up", "Down"] } });
    client.emit(rawEntity(7, 110, { "dojo_starter-Moves": { player: ty.address(7n), remaining: ty.u8(99), last_direction: ty.enum("Direction", "Up"), can_move: ty.bool(true) } }));
    await settle();
    expect(getComponentValue(game.components.Moves, paddedId(7) as Entity)).toEqual({ player: 7n, remaining: 99, last_direction: 3, can_move: true });
  });

  it("should never tear a component: an update with a member that cannot be converted is kept out whole", async () => {
    const p = await streaming();
    client.emit(rawEntity(1, 110, { "game-Player": { xp: ty.raw("u64", "not a number"), level: ty.u8(5) } }));
    await settle();
    expect(player(1)).toEqual({ xp: 1000, level: 1 });
    expect(p.metrics().rejectedByCode.SYNC_BAD_VALUE).toBe(1);
    // The next valid update lands as usual.
    client.emit(rawEntity(1, 120, { "game-Player": { xp: ty.u64(2000n), level: ty.u8(6) } }));
    await settle();
    expect(player(1)).toEqual({ xp: 2000, level: 6 });
  });
});
