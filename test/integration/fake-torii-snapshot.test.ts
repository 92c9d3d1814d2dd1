import { describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { connectToriiClient, enumOf, fetchAllPages, member, optionOf, primitive, startFakeTorii, struct } from "../../src/testing";
import type { FakeTorii, ModelDef, WasmToriiClient } from "../../src/testing";

/** A model holding every value kind the fake can carry, to pin how the real client decodes each. */
const KitchenSink: ModelDef = {
  namespace: "lab",
  name: "Sink",
  members: [
    member("id", primitive("u32"), true),
    member("owner", primitive("ContractAddress"), true),
    member("a_u8", primitive("u8")),
    member("a_u16", primitive("u16")),
    member("a_u64", primitive("u64")),
    member("a_u128", primitive("u128")),
    member("a_u256", primitive("u256")),
    member("a_i8", primitive("i8")),
    member("a_i32", primitive("i32")),
    member("a_i64", primitive("i64")),
    member("a_i128", primitive("i128")),
    member("a_bool", primitive("bool")),
    member("a_felt", primitive("felt252")),
    member("a_class", primitive("ClassHash")),
    member("a_eth", primitive("EthAddress")),
    member("a_text", { kind: "bytearray" }),
    member("a_unit_enum", enumOf("Mood", ["Calm", "Angry"])),
    member("a_data_enum", enumOf("Shape", [{ name: "Dot" }, { name: "Circle", type: struct("Circle", [member("r", primitive("u16"))]) }])),
    member("a_some", optionOf(primitive("u64"))),
    member("a_none", optionOf(primitive("ContractAddress"))),
    member("a_nested", struct("Outer", [member("inner", struct("Inner", [member("v", primitive("u128"))])), member("tag", primitive("felt252"))])),
  ],
};

describe("fake Torii: snapshot pages through the real wasm client", () => {
  const torii = releaseAfterEach();
  let fake: FakeTorii | undefined;
  let client: WasmToriiClient | undefined;

  it("should page the whole world by cursor and decode it exactly like world.entities()", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 11 }));
    fake.world.step(30);
    client = torii.client(await connectToriiClient(fake));

    const walk = await fetchAllPages(client, { limit: 17, worldAddresses: [fake.worldAddress] });

    expect(walk.pages).toBeGreaterThanOrEqual(3);
    expect(new Set(walk.cursors).size).toBe(walk.cursors.length);
    expect(walk.items).toHaveLength(fake.world.counts().entities);
    expect(walk.items).toEqual(fake.world.entities());
  });

  it("should decode every value kind exactly as world.entities() predicts", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 16, world: { seed: 16, models: [KitchenSink] } }));
    fake.world.setModel({ keys: [7, "0x0b1172"] }, "lab-Sink", {
      a_u8: 255,
      a_u16: 65535,
      a_u64: 18446744073709551615n,
      a_u128: "340282366920938463463374607431768211455",
      a_u256: 2n ** 256n - 1n,
      a_i8: -128,
      a_i32: -70000,
      a_i64: -9223372036854775808n,
      a_i128: "-5",
      a_bool: true,
      a_felt: "0xabc",
      a_class: 9,
      a_eth: "0xdead",
      a_text: "héllo",
      a_unit_enum: "Angry",
      a_data_enum: { option: "Circle", value: { r: 3 } },
      a_some: 77,
      a_none: null,
      a_nested: { inner: { v: 1 }, tag: "0x1" },
    });
    client = torii.client(await connectToriiClient(fake));

    const walk = await fetchAllPages(client);

    expect(walk.items).toEqual(fake.world.entities());
  });

  it("should page backward in descending id order", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 12 }));
    client = torii.client(await connectToriiClient(fake));

    const walk = await fetchAllPages(client, { limit: 40, direction: "Backward" });

    expect(walk.items.map((e) => e.hashed_keys)).toEqual(fake.world.entities().map((e) => e.hashed_keys).reverse());
  });

  it("should keep a walk consistent when entities are written between pages", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 13 }));
    client = torii.client(await connectToriiClient(fake));
    const before = new Set(fake.world.entities().map((e) => e.hashed_keys));

    const first = await client.getEntities({ world_addresses: [], pagination: { limit: 10, cursor: undefined, direction: "Forward", order_by: [] }, clause: undefined, no_hashed_keys: false, models: [], historical: false });
    fake.world.step(20);
    const second = await client.getEntities({ world_addresses: [], pagination: { limit: 1000, cursor: first.next_cursor, direction: "Forward", order_by: [] }, clause: undefined, no_hashed_keys: false, models: [], historical: false });

    const ids = [...first.items, ...second.items].map((e) => e.hashed_keys);
    expect(new Set(ids).size).toBe(ids.length);
    // Keyset pagination: nothing that existed throughout is skipped.
    const survivors = fake.world.entities().map((e) => e.hashed_keys).filter((id) => before.has(id));
    for (const id of survivors) expect(ids).toContain(id);
  });

  it("should return only the requested models and only entities that have them", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 14 }));
    client = torii.client(await connectToriiClient(fake));

    const walk = await fetchAllPages(client, { limit: 50, models: ["blitz-Production"] });

    expect(walk.items).toHaveLength(fake.world.counts().models["blitz-Production"] ?? -1);
    for (const entity of walk.items) expect(Object.keys(entity.models)).toEqual(["blitz-Production"]);
  });

  it("should answer an unknown cursor with INVALID_ARGUMENT as a plain string rejection", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 15 }));
    client = torii.client(await connectToriiClient(fake));

    const failure = await client
      .getEntities({ world_addresses: [], pagination: { limit: 10, cursor: "not-a-cursor", direction: "Forward", order_by: [] }, clause: undefined, no_hashed_keys: false, models: [], historical: false })
      .then(() => undefined, (error: unknown) => error);

    expect(typeof failure).toBe("string");
    expect(String(failure)).toContain("InvalidArgument");
  });
});
