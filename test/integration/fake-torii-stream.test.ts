import { describe, expect, it } from "vitest";
import { releaseAfterEach } from "../support/release-after-each";
import { connectToriiClient, startFakeTorii, waitFor } from "../../src/testing";
import type { DecodedEntity, FakeTorii, WasmEntity, WasmToriiClient } from "../../src/testing";

const ARMY = "blitz-Army";
const armyMembers = (x: number) => ({
  owner: "0x0b1172",
  coord: { x, y: 2 },
  troops: { category: "Paladin", tier: "T2", count: 1_500_000_000_000_000_000n },
  stamina: { amount: 90, updated_tick: 1000 },
});

describe("fake Torii: entity streams through the real wasm client", () => {
  const torii = releaseAfterEach();
  let fake: FakeTorii | undefined;
  let client: WasmToriiClient | undefined;

  async function subscribe(target: FakeTorii, c: WasmToriiClient): Promise<WasmEntity[]> {
    const received: WasmEntity[] = [];
    torii.keep(await c.onEntityUpdated(undefined, [target.worldAddress], (entity: WasmEntity) => received.push(entity)));
    return received;
  }

  it("should push each write as Torii does: whole model, changed members only, {} for a model delete, no models for an entity delete", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 21 }));
    client = torii.client(await connectToriiClient(fake));
    const received = await subscribe(fake, client);
    const world = fake.world;
    const army = { keys: [5001] };
    const expected: DecodedEntity[] = [];
    const only = (entity: DecodedEntity | undefined, tag: string, members?: string[]): DecodedEntity => {
      if (entity === undefined) throw new Error("entity missing");
      const model = entity.models[tag] ?? {};
      const picked = members === undefined ? model : Object.fromEntries(members.map((m) => [m, model[m]]));
      return { ...entity, models: { [tag]: picked as DecodedEntity["models"][string] } };
    };

    world.setModel(army, ARMY, armyMembers(1));
    expected.push(only(world.entity(army), ARMY));
    world.step(1, { quiet: true });
    world.updateMembers(army, ARMY, { stamina: { amount: 80, updated_tick: 1001 } });
    expected.push(only(world.entity(army), ARMY, ["stamina"]));
    const beforeDelete = world.entity(army);
    world.deleteModel(army, ARMY);
    expect(world.entity(army)).toBeUndefined();
    expected.push({ ...only(beforeDelete, ARMY, []), updated_at: world.head().timestamp + 1, executed_at: world.head().timestamp });
    world.step(1, { quiet: true });
    world.setModel(army, ARMY, armyMembers(3));
    expected.push(only(world.entity(army), ARMY));
    const beforeEntityDelete = world.entity(army);
    world.deleteEntity(army);
    expected.push({ ...only(beforeEntityDelete, ARMY, []), models: {}, updated_at: world.head().timestamp + 1, executed_at: world.head().timestamp });

    await waitFor(() => received.length >= expected.length, { description: "five updates" });
    expect(received).toEqual(expected);
    // A recreation after a delete is a new row: created_at restarts.
    expect(received[3]?.created_at).toBe(received[3]?.updated_at);
  });

  it("should deliver the world's own activity in write order with the content of world state", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 22 }));
    client = torii.client(await connectToriiClient(fake));
    const received = await subscribe(fake, client);
    let writes = 0;
    fake.world.subscribe({ onChange: (change) => (writes += change.kind === "entity" ? 1 : 0) });

    const start = new Map(fake.world.entities().map((e) => [e.hashed_keys, e.models as Record<string, Record<string, unknown>>]));
    fake.world.step(40);

    await waitFor(() => received.length === writes && writes > 0, { description: "all activity" });
    // Folding the updates (partial merge, {} removes a model, no models removes the entity) rebuilds the world.
    const folded = new Map(start);
    for (const update of received) {
      const models = folded.get(update.hashed_keys) ?? {};
      if (Object.keys(update.models).length === 0) {
        folded.delete(update.hashed_keys);
        continue;
      }
      for (const [tag, members] of Object.entries(update.models)) {
        if (Object.keys(members).length === 0) delete models[tag];
        else models[tag] = { ...models[tag], ...members };
      }
      if (Object.keys(models).length === 0) folded.delete(update.hashed_keys);
      else folded.set(update.hashed_keys, models);
    }
    const truth = new Map(fake.world.entities().map((e) => [e.hashed_keys, e.models]));
    expect(new Map([...folded].filter(([, m]) => Object.keys(m).length > 0))).toEqual(truth);
  });

  it("should emit the all-zero entity after breakConnections, once the client has reconnected by itself", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 23 }));
    client = torii.client(await connectToriiClient(fake));
    const received = await subscribe(fake, client);
    const firstId = fake.chaos.subscribers()[0]?.subscriptionId;

    const brokeAt = Date.now();
    expect(fake.chaos.breakConnections()).toBe(1);
    const zero = await waitFor(() => received.find((e) => e.hashed_keys === "0x0"), { timeoutMs: 5_000, description: "zero entity" });
    const reconnectMs = Date.now() - brokeAt;

    expect(zero).toEqual({ world_address: "0x0", hashed_keys: "0x0", models: {}, created_at: 0, updated_at: 0, executed_at: 0 });
    expect(reconnectMs).toBeGreaterThanOrEqual(900);
    expect(reconnectMs).toBeLessThan(3_000);
    expect(fake.stats().subscribers).toBe(1);
    expect(fake.chaos.subscribers()[0]?.subscriptionId).not.toBe(firstId);
    expect(fake.stats().requests["SubscribeEntities"]).toBe(2);

    // The new stream carries later writes; the ones missed while down are not replayed.
    fake.world.setModel({ keys: [5002] }, ARMY, armyMembers(4));
    await waitFor(() => received.length === 2, { description: "update after reconnect" });
    expect(received[1]?.models[ARMY]?.["coord"]).toBeDefined();
  });

  it("should carry a 10k-update burst intact, in order", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 24 }));
    client = torii.client(await connectToriiClient(fake));
    const received = await subscribe(fake, client);
    const army = { keys: [5003] };
    fake.world.setModel(army, ARMY, armyMembers(5));

    fake.world.batch(() => {
      for (let i = 0; i < 10_000; i += 1) fake?.world.updateMembers(army, ARMY, { stamina: { amount: i, updated_tick: 2_000_000 + i } });
    });

    await waitFor(() => received.length >= 10_001, { timeoutMs: 30_000, description: "10k updates" });
    expect(received).toHaveLength(10_001);
    received.slice(1).forEach((entity, i) => {
      const stamina = entity.models[ARMY]?.["stamina"]?.value as Record<string, { value: unknown }>;
      expect(stamina["amount"]?.value).toBe(String(i));
    });
    expect(fake.stats().evictions).toBe(0);
  });

  it("should apply UpdateEntitiesSubscription to the live stream and ignore the stale id after a reconnect", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 26, world: { seed: 26, activity: false } }));
    client = torii.client(await connectToriiClient(fake));
    const world = fake.world;
    const [a, b] = [5101, 5102].map((id) => world.setModel({ keys: [id] }, ARMY, armyMembers(1)).entityId);
    const got: WasmEntity[] = [];
    const subscription = await client.onEntityUpdated({ HashedKeys: [a ?? ""] }, [], (e: WasmEntity) => got.push(e));
    torii.keep(subscription);
    const touch = (id: number): void => void world.updateMembers({ keys: [id] }, ARMY, { coord: { x: got.length, y: 0 } });

    await client.updateEntitySubscription(subscription, { HashedKeys: [b ?? ""] }, []);
    touch(5101);
    touch(5102);
    await waitFor(() => got.length === 1);
    expect(got[0]?.hashed_keys).toBe(`0x${BigInt(b ?? "").toString(16)}`);

    fake.chaos.breakConnections();
    await waitFor(() => got.length === 2, { timeoutMs: 5_000, description: "zero entity" });
    // The client resubscribes with the clause it was created with, not the updated one, and keeps the old id.
    touch(5101);
    touch(5102);
    await waitFor(() => got.length === 3);
    expect(got[2]?.hashed_keys).toBe(`0x${BigInt(a ?? "").toString(16)}`);
    await client.updateEntitySubscription(subscription, { HashedKeys: [b ?? ""] }, []);
    touch(5101);
    await waitFor(() => got.length === 4);
    expect(fake.stats().requests["UpdateEntitiesSubscription"]).toBe(2);
  });

  it("should leave no stream and no socket behind after cancel, free and close", async () => {
    fake = torii.fake(await startFakeTorii({ seed: 25 }));
    client = torii.client(await connectToriiClient(fake));
    const entities = torii.keep(await client.onEntityUpdated(undefined, [fake.worldAddress], () => undefined));
    const head = torii.keep(await client.onIndexerUpdated(fake.worldAddress, () => undefined));
    expect(fake.stats().openStreams).toBe(2);

    entities.cancel();
    head.cancel();
    await waitFor(() => fake?.stats().openStreams === 0, { description: "streams closed by cancel" });
    // Frees the client, then closes the server (the cancelled handles are skipped).
    await torii.release();

    expect(fake.stats()).toMatchObject({ openStreams: 0, subscribers: 0, sockets: 0, timers: 0 });
  });
});
