import { describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { connectToriiClient, driveWrites, enumOf, member, optionOf, primitive, startFakeTorii, struct, WorldSimulator } from "../../src/testing";
import type { ModelDef, WasmEntity, WorldChange } from "../../src/testing";
import { EntityCodec, Methods } from "../../src/testing/protocol/codecs";
import { encodeDataFrame } from "../../src/testing/protocol/grpc-web";
import { encodeEntity, encodeSubscribeFrame } from "../../src/testing/protocol/stream-messages";
import { createRng } from "../../src/testing/world/rng";

const ARMY = "blitz-Army";
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** A model with every kind of value the wire carries, for checking the hand-written encoder against @dojoengine/grpc. */
const EveryKind: ModelDef = {
  namespace: "enc",
  name: "EveryKind",
  members: [
    member("id", primitive("u32"), true),
    ...(["u8", "u16", "u32", "u64", "u128", "u256", "i8", "i16", "i32", "i64", "i128", "bool", "felt252", "ClassHash", "ContractAddress", "EthAddress"] as const).map((name) => member(`p_${name}`, primitive(name))),
    member("text", { kind: "bytearray" }),
    member("nested", struct("Outer", [member("inner", struct("Inner", [member("a", primitive("u64")), member("b", primitive("i128"))])), member("flag", primitive("bool"))])),
    member("choice", enumOf("Choice", ["Unit", { name: "Amount", type: primitive("u128") }, { name: "Pair", type: struct("Pair", [member("x", primitive("i32")), member("y", primitive("felt252"))]) }])),
    member("maybe", optionOf(primitive("u64"))),
  ],
};

describe("fake Torii: the fast publish path", () => {
  const torii = releaseAfterEach();

  it("should encode every update byte for byte as @dojoengine/grpc does, whatever the values", () => {
    const world = new WorldSimulator({ models: [EveryKind], seed: 5 });
    const rng = createRng(5);
    const changes: WorldChange[] = [];
    world.subscribe({ onChange: (change) => changes.push(change) });
    const big = (bits: number): bigint => BigInt.asUintN(bits, BigInt(Math.floor(rng.next() * 2 ** 32)) ** BigInt(1 + rng.int(0, Math.ceil(bits / 32))));
    const signed = (bits: number): bigint => BigInt.asIntN(bits, big(bits));
    const words = ["", "plain", "naïve – ünïcödé ✓", "🙂".repeat(40), "x".repeat(200), "y".repeat(20_000)];
    for (let i = 0; i < 300; i += 1) {
      const choice = [{ option: "Unit" }, { option: "Amount", value: big(128) }, { option: "Pair", value: { x: rng.int(-(2 ** 31), 2 ** 31 - 1), y: big(250) } }][i % 3];
      const members = {
        p_u8: rng.int(0, 255), p_u16: rng.int(0, 65_535), p_u32: rng.int(0, 2 ** 32 - 1), p_u64: big(64), p_u128: big(128), p_u256: big(256),
        p_i8: rng.int(-128, 127), p_i16: rng.int(-32_768, 32_767), p_i32: rng.int(-(2 ** 31), 2 ** 31 - 1), p_i64: signed(64), p_i128: signed(128),
        p_bool: rng.chance(0.5), p_felt252: big(250), p_ClassHash: big(250), p_ContractAddress: big(250), p_EthAddress: big(160),
        text: words[i % words.length] as string,
        nested: { inner: { a: i === 0 ? 0 : big(64), b: signed(128) }, flag: i % 2 === 0 },
        choice,
        maybe: i % 4 === 0 ? null : big(64),
      };
      world.setModel({ keys: [i % 50] }, "enc-EveryKind", members);
      if (i % 3 === 0) world.updateMembers({ keys: [i % 50] }, "enc-EveryKind", { p_i64: signed(64), nested: members.nested });
      if (i % 37 === 0) world.deleteModel({ keys: [i % 50] }, "enc-EveryKind");
    }
    expect(changes.length).toBeGreaterThan(400);
    for (const change of changes) {
      expect(hex(encodeEntity(change.entity))).toBe(hex(EntityCodec.toBinary(change.entity)));
      const frame = encodeSubscribeFrame(encodeEntity(change.entity), 300n);
      expect(hex(frame)).toBe(hex(encodeDataFrame(Methods.SubscribeEntities.output.toBinary({ entity: change.entity, subscription_id: 300n }))));
    }
    expect(hex(encodeSubscribeFrame(undefined, 7n))).toBe(hex(encodeDataFrame(Methods.SubscribeEntities.output.toBinary({ subscription_id: 7n }))));
    world.close();
  });

  it("should keep SQL in step with writes made in memory: every read sees the last write", () => {
    const world = new WorldSimulator({ seed: 6 });
    const army = { keys: [7001] };
    const members = { owner: "0x1", coord: { x: 1, y: 2 }, troops: { category: "Knight", tier: "T1", count: 1 }, stamina: { amount: 0, updated_tick: 0 } };
    const id = world.setModel(army, ARMY, members).entityId;
    for (let i = 1; i <= 500; i += 1) world.updateMembers(army, ARMY, { stamina: { amount: i, updated_tick: i } });
    // Torii's SQL spells ids in minimal hex (Rust's {:#x}), the client's API padded.
    const sqlId = `0x${BigInt(id).toString(16)}`;
    const row = (): Record<string, unknown> | undefined => world.sql(`SELECT "stamina.amount" AS amount, internal_event_id AS event FROM "blitz-Army" WHERE internal_id = '${sqlId}'`)[0];
    const last = world.updateMembers(army, ARMY, { stamina: { amount: 501, updated_tick: 501 } });
    expect(row()).toEqual({ amount: "0x00000000000001f5", event: last.eventId });
    expect(world.modelValues(army, ARMY)?.["stamina"]).toEqual({ amount: "501", updated_tick: "501" });
    // Stored values are the world's state: frozen, so a test cannot change them behind the world's back.
    expect(Object.isFrozen(world.modelValues(army, ARMY)?.["stamina"])).toBe(true);
    world.deleteModel(army, ARMY);
    expect(row()).toBeUndefined();
    expect(world.sql(`SELECT COUNT(*) AS n FROM entities WHERE id = '${sqlId}'`)).toEqual([{ n: 0 }]);
    expect(world.counts().models[ARMY]).toBe(world.idsWith(ARMY).length);
    world.close();
  });

  it("should pace driveWrites at the target rate, and stop on demand", async () => {
    const world = new WorldSimulator({ seed: 7, activity: false });
    const written: number[] = [];
    const report = await driveWrites(world, { count: 1_000, ratePerSecond: 5_000, write: (i) => written.push(i) }).done;
    expect(written).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    // 1,000 writes at 5,000/s: the last one is due at 199.8 ms; a loaded machine may only make it later.
    expect(report.elapsedMs).toBeGreaterThanOrEqual(195);
    expect(report.perSecond).toBeLessThanOrEqual(5_200);

    const endless = driveWrites(world, { count: 1_000_000, ratePerSecond: 1_000, write: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 50));
    endless.stop();
    const stopped = await endless.done;
    expect(stopped.written).toBeGreaterThan(0);
    expect(stopped.written).toBeLessThan(1_000);
    expect(() => driveWrites(world, { count: 1, ratePerSecond: 0, write: () => undefined })).toThrow(RangeError);
    world.close();
  });

  it("should carry a driven 30k/s stream to the real client intact and in order, one frame per update", async () => {
    const fake = torii.fake(await startFakeTorii({ seed: 8, world: { seed: 8, activity: false } }));
    const client = torii.client(await connectToriiClient(fake));
    const armies = Array.from({ length: 100 }, (_, i) => ({ keys: [9000 + i] }));
    fake.world.batch(() => {
      for (const army of armies) fake.world.setModel(army, ARMY, { owner: "0x1", coord: { x: 0, y: 0 }, troops: { category: "Knight", tier: "T1", count: 1 }, stamina: { amount: 0, updated_tick: 0 } });
    });
    const got: WasmEntity[] = [];
    torii.keep(await client.onEntityUpdated(undefined, [], (entity: WasmEntity) => got.push(entity)));

    const count = 6_000;
    await driveWrites(fake.world, {
      count,
      ratePerSecond: 30_000,
      write: (i) => fake.world.updateMembers(armies[i % armies.length] as { keys: number[] }, ARMY, { stamina: { amount: i % 120, updated_tick: i } }),
    }).done;
    const deadline = Date.now() + 30_000;
    while (got.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));

    expect(got).toHaveLength(count);
    const ticks = got.map((e) => Number((e.models[ARMY]?.["stamina"]?.value as Record<string, { value: string }>)["updated_tick"]?.value));
    expect(ticks).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(fake.chaos.subscribers()[0]).toMatchObject({ delivered: count, pending: 0, dropped: 0 });
    expect(fake.stats().evictions).toBe(0);
  });
});
