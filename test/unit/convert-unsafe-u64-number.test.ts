import { createWorld, defineComponent, getComponentValue, Type as RecsType, type Entity } from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { SyncError } from "../../src/core/errors";
import type { ToriiValue } from "../../src/core/types";
import { convertValue } from "../../src/core/writer/convert";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";

function defineGame() {
  const world = createWorld();
  return {
    world,
    components: {
      Player: defineComponent(world, { xp: RecsType.Number, level: RecsType.Number }, { metadata: { namespace: "game", name: "Player", types: ["u64", "u8"], customTypes: [] } }),
      Bank: defineComponent(world, { balance: RecsType.BigInt }, { metadata: { namespace: "game", name: "Bank", types: ["u64"], customTypes: [] } }),
    },
  };
}

/** What @dojoengine/grpc's mapPrimitive hands over for a u64: `Number(u64)`, an inexact double past 2^53. */
const grpcU64 = (value: bigint): ToriiValue => ({ type: "primitive", type_name: "u64", value: Number(value), key: false });

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;
let game: ReturnType<typeof defineGame>;

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
  client.rows = [rawEntity(1, 100, { "game-Player": { xp: ty.u64(1000n), level: ty.u8(1) }, "game-Bank": { balance: ty.u64(5n) } })];
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("value conversion: a u64 past 2^53 as the grpc client sends it (a JS number)", () => {
  it("should land like the wasm client's decimal text does: the nearest double with a precision-loss warning, not a rejected component", async () => {
    game = defineGame();
    pipeline = createSyncPipeline({ client, world: game.world, components: game.components, environment: noPageEnvironment });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    client.emit(rawEntity(1, 110, { "game-Player": { xp: grpcU64(2n ** 60n + 1n), level: ty.u8(7) } }));
    await vi.advanceTimersByTimeAsync(100);
    // The wasm client's "1152921504606846977" lands as 2^60 with SYNC_PRECISION_LOSS (value-landing.test.ts).
    expect(getComponentValue(game.components.Player, paddedId(1) as Entity)).toEqual({ xp: 2 ** 60, level: 7 });
    expect(pipeline.metrics().rejected).toBe(0);
    expect(pipeline.metrics().warningsByCode.SYNC_PRECISION_LOSS).toBeGreaterThan(0);
  });

  it("should land a u64 past 2^53 in a BigInt field from the grpc client (the value it carries), with a warning", async () => {
    game = defineGame();
    pipeline = createSyncPipeline({ client, world: game.world, components: game.components, environment: noPageEnvironment });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    client.emit(rawEntity(1, 110, { "game-Bank": { balance: grpcU64(2n ** 60n) } }));
    await vi.advanceTimersByTimeAsync(100);
    expect(getComponentValue(game.components.Bank, paddedId(1) as Entity)?.balance).toBe(2n ** 60n);
    expect(pipeline.metrics().rejected).toBe(0);
    expect(pipeline.metrics().warningsByCode.SYNC_PRECISION_LOSS).toBeGreaterThan(0);
  });

  it("should say which loss it was: a number the client already rounded, or decimal text too wide for a Number field", async () => {
    game = defineGame();
    const warnings: string[] = [];
    pipeline = createSyncPipeline({ client, world: game.world, components: game.components, environment: noPageEnvironment, logger: (record) => void (record.level === "warn" && warnings.push(record.message)) });
    await Promise.all([pipeline.start(), vi.advanceTimersByTimeAsync(100)]);
    client.emit(rawEntity(1, 110, { "game-Bank": { balance: grpcU64(2n ** 60n) } }));
    client.emit(rawEntity(2, 110, { "game-Player": { xp: ty.u64(2n ** 60n + 1n), level: ty.u8(7) } }));
    await vi.advanceTimersByTimeAsync(100);
    const about = (field: string) => warnings.filter((message) => message.startsWith(`SYNC_PRECISION_LOSS: ${field} `));
    expect(about("game-Bank.balance")).toEqual([`SYNC_PRECISION_LOSS: game-Bank.balance = ${2 ** 60} (a JS number from the client, already rounded); the exact value never reached the SDK, so the double is stored.`]);
    expect(about("game-Player.xp")).toHaveLength(1);
    expect(about("game-Player.xp")[0]).toMatch(/= 1152921504606846977 is wider than a Number field holds exactly; .*declare the field BigInt/);
  });

  it("should read u64::MAX, which Number() rounds up to 2^64, as the nearest double in a Number field and as u64::MAX in a BigInt field", () => {
    const losses: string[] = [];
    const notes = { precisionLoss: (where: string) => losses.push(where) };
    expect(convertValue(RecsType.Number, grpcU64(2n ** 64n - 1n), "Player.xp", notes)).toBe(2 ** 64);
    expect(convertValue(RecsType.BigInt, grpcU64(2n ** 64n - 1n), "Bank.balance", notes)).toBe(2n ** 64n - 1n);
    expect(losses).toEqual(["Player.xp", "Bank.balance"]);
  });

  it("should still refuse a number that is not an integer, or past what its Cairo type holds", () => {
    const code = (run: () => unknown): string | undefined => {
      try {
        run();
        return undefined;
      } catch (error) {
        return (error as SyncError).code;
      }
    };
    const u64 = (value: number): ToriiValue => ({ type: "primitive", type_name: "u64", value, key: false });
    expect(code(() => convertValue(RecsType.Number, u64(2 ** 40 + 0.5), "m.f"))).toBe("SYNC_BAD_VALUE");
    expect(code(() => convertValue(RecsType.Number, u64(Infinity), "m.f"))).toBe("SYNC_BAD_VALUE");
    expect(code(() => convertValue(RecsType.BigInt, u64(Number.NaN), "m.f"))).toBe("SYNC_BAD_VALUE");
    expect(code(() => convertValue(RecsType.Number, u64(2 ** 65), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
    expect(code(() => convertValue(RecsType.BigInt, u64(-(2 ** 60)), "m.f"))).toBe("SYNC_VALUE_OUT_OF_RANGE");
  });
});
