import { createWorld, defineComponent, getComponentValue, Type as RecsType, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { convertValue } from "../../src/core/writer/convert";
import { paddedId, rawEntity, ty } from "../support/ty";

function defineGame() {
  const world = createWorld();
  return {
    world,
    components: {
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

const moves = (direction: ReturnType<typeof ty.enum>) => ({ player: ty.address(7n), remaining: ty.u8(99), last_direction: direction, can_move: ty.bool(true) });

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

describe("value conversion: an enum variant the declared variant order does not list, in a Number field", () => {
  it("should never store a string in a Number field when the enum's order is known but lacks the variant; it is refused and counted", async () => {
    game = defineGame();
    pipeline = createSyncPipeline({ client, world: game.world, components: game.components, environment: noPageEnvironment, enumVariants: { Direction: ["None", "Left", "Right", "Up", "Down"] } });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    client.emit(rawEntity(7, 110, { "dojo_starter-Moves": moves(ty.enum("Direction", "Up")) }));
    await vi.advanceTimersByTimeAsync(100);
    client.emit(rawEntity(7, 120, { "dojo_starter-Moves": moves(ty.enum("Direction", "Diagonal")) }));
    await vi.advanceTimersByTimeAsync(100);
    const value = getComponentValue(game.components.Moves, paddedId(7) as Entity);
    expect(typeof value?.last_direction).toBe("number");
    const m = pipeline.metrics();
    expect(m.rejected + (m.warningsByCode.SYNC_BAD_VALUE ?? 0)).toBeGreaterThan(0);
  });

  it("should never store a string in a Number field for an Option whose variant is neither Some nor None", async () => {
    game = defineGame();
    pipeline = createSyncPipeline({ client, world: game.world, components: game.components, environment: noPageEnvironment });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    const odd = { type: "enum", type_name: "Option<u8>", value: { option: "Maybe", value: ty.u8(5) }, key: false } as ReturnType<typeof ty.u8>;
    client.emit(rawEntity(7, 110, { "dojo_starter-Moves": { ...moves(ty.enum("Direction", "Up")), remaining: odd } }));
    await vi.advanceTimersByTimeAsync(100);
    const value = getComponentValue(game.components.Moves, paddedId(7) as Entity);
    expect(typeof (value?.remaining ?? 0)).toBe("number");
    expect(pipeline.metrics().rejected).toBeGreaterThan(0);
  });

  it("should refuse with SYNC_BAD_VALUE, and keep the variant name only where no order is known", () => {
    const variants = { Direction: ["None", "Left", "Right", "Up", "Down"] };
    expect(convertValue(RecsType.Number, ty.enum("Direction", "Up"), "m.f", undefined, variants)).toBe(3);
    expect(() => convertValue(RecsType.Number, ty.enum("Direction", "Diagonal"), "m.f", undefined, variants)).toThrow(expect.objectContaining({ code: "SYNC_BAD_VALUE" }));
    expect(() => convertValue(RecsType.BigInt, ty.enum("Direction", "Diagonal"), "m.f", undefined, variants)).toThrow(expect.objectContaining({ code: "SYNC_BAD_VALUE" }));
    // No order for this enum: the name, as @dojoengine/state stores it.
    expect(convertValue(RecsType.Number, ty.enum("Biome", "Desert"), "m.f", undefined, variants)).toBe("Desert");
    const maybe = { type: "enum", type_name: "Option<u8>", value: { option: "Maybe", value: ty.u8(5) }, key: false } as ReturnType<typeof ty.u8>;
    for (const type of [RecsType.Number, RecsType.String, RecsType.OptionalNumber, RecsType.T]) {
      expect(() => convertValue(type, maybe, "m.f")).toThrow(expect.objectContaining({ code: "SYNC_BAD_VALUE" }));
    }
  });
});
