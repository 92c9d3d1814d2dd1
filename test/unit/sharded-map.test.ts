import {
  createWorld,
  defineComponent,
  getComponentEntities,
  getComponentValue,
  Has,
  HasValue,
  hasComponent,
  overridableComponent,
  removeComponent,
  runQuery,
  setComponent,
  Type,
  updateComponent,
  type Entity,
} from "@dojoengine/recs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isSharded, SHARDS, shardMap } from "../../src/core/util/sharded-map";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { paddedId, rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const symbolOf = (n: number): symbol => Symbol.for(paddedId(n));
/** The Maps a sharded Map spreads its entries over (what a rehash has to move at most). */
const shardsOf = (map: Map<unknown, unknown>): Map<unknown, unknown>[] => (map as unknown as { shards: Map<unknown, unknown>[] }).shards;

describe("sharded map: a Map's contract", () => {
  it("should keep the object and its entries, and behave as the Map it was for every method", () => {
    const map = new Map<unknown, number>([
      [symbolOf(1), 1],
      ["a string key", 2],
    ]);
    const reference = new Map(map);
    const same = map;
    shardMap(map);
    expect(map).toBe(same);
    expect(map).toBeInstanceOf(Map);
    expect(isSharded(map)).toBe(true);
    const unregistered = Symbol("no hex description");
    const apply = (m: Map<unknown, number>) => {
      for (let n = 2; n < 600; n += 1) m.set(symbolOf(n), n);
      m.set(symbolOf(5), 55);
      m.set(unregistered, 7);
      m.set(42, 8);
      expect(m.delete(symbolOf(9))).toBe(true);
      expect(m.delete(symbolOf(9))).toBe(false);
      expect(m.delete("never there")).toBe(false);
    };
    apply(map);
    apply(reference);
    expect(map.size).toBe(reference.size);
    expect(map.get(symbolOf(5))).toBe(55);
    expect(map.has(symbolOf(9))).toBe(false);
    expect(map.get("a string key")).toBe(2);
    expect(map.get(42)).toBe(8);
    expect(map.get(unregistered)).toBe(7);
    // Iteration goes shard by shard: the same entries, not the same order.
    const sorted = (entries: Iterable<[unknown, number]>) => [...entries].map(([k, v]) => `${String(k)}=${v}`).sort();
    expect(sorted(map)).toEqual(sorted(reference));
    expect(sorted(map.entries())).toEqual(sorted(reference.entries()));
    expect([...map.keys()].length).toBe(reference.size);
    expect([...map.values()].reduce((a, b) => a + b, 0)).toBe([...reference.values()].reduce((a, b) => a + b, 0));
    const seen: unknown[] = [];
    map.forEach(function (this: unknown, value, key, owner) {
      expect(owner).toBe(map);
      expect(this).toBe(seen);
      seen.push(key);
      expect(value).toBe(reference.get(key));
    }, seen);
    expect(seen.length).toBe(reference.size);
    map.clear();
    expect(map.size).toBe(0);
    expect([...map]).toEqual([]);
  });

  it("should leave a Map it does not own alone: a subclass (an observable map) keeps its prototype and its entries", () => {
    class Observed<K, V> extends Map<K, V> {}
    const observed = new Observed<symbol, number>([[symbolOf(1), 1]]);
    shardMap(observed);
    expect(isSharded(observed)).toBe(false);
    expect(Object.getPrototypeOf(observed)).toBe(Observed.prototype);
    expect(observed.get(symbolOf(1))).toBe(1);
    // Sharding twice is sharding once.
    const plain = new Map<symbol, number>([[symbolOf(2), 2]]);
    shardMap(plain);
    shardMap(plain);
    expect(plain.size).toBe(1);
    expect(plain.get(symbolOf(2))).toBe(2);
  });

  it("should spread entity ids as strings too (the ledger's and the id memo's keys), evenly", () => {
    const map = new Map<string, number>();
    shardMap(map);
    const entities = 20_000;
    // Minimal hex as the wasm client sends ids, and padded as the ledger keeps them: the last digits decide alike.
    for (let n = 1; n <= entities; n += 1) map.set(n % 2 === 0 ? paddedId(n) : `0x${n.toString(16)}`, n);
    expect(map.size).toBe(entities);
    expect(map.get(paddedId(2))).toBe(2);
    expect(map.get("0x3")).toBe(3);
    const sizes = shardsOf(map).map((shard) => shard.size);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.ceil((entities / SHARDS) * 1.1));
  });

  it("should spread entity symbols evenly, so no one Map grows with the component", () => {
    const map = new Map<symbol, number>();
    shardMap(map);
    const entities = 40_000;
    for (let n = 1; n <= entities; n += 1) map.set(symbolOf(n), n);
    expect(map.size).toBe(entities);
    const sizes = shardsOf(map).map((shard) => shard.size);
    expect(sizes.length).toBe(SHARDS);
    // Even: every shard near its share (156 here); a plain Map would hold all 40,000 in one table.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.ceil((entities / SHARDS) * 1.1));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(Math.floor((entities / SHARDS) * 0.9));
  });
});

describe("sharded Maps under RECS", () => {
  const schema = { x: Type.Number, name: Type.String, troops: Type.BigInt, note: Type.OptionalString };

  it("should leave every RECS read, write, query and override working on a sharded component", () => {
    const world = createWorld();
    const component = defineComponent(world, schema, { id: "Sharded" });
    const indexed = defineComponent(world, schema, { id: "ShardedIndexed", indexed: true });
    const entity = (n: number) => paddedId(n) as Entity;
    for (let n = 1; n <= 300; n += 1) setComponent(component, entity(n), { x: n, name: `e${n}`, troops: BigInt(n), note: undefined });
    for (const store of Object.values(component.values)) shardMap(store as Map<unknown, unknown>);
    for (const store of Object.values(indexed.values)) shardMap(store as Map<unknown, unknown>);
    // An overridable component made before or after sharding holds the same Map objects.
    const optimistic = overridableComponent(component);
    for (let n = 301; n <= 600; n += 1) setComponent(component, entity(n), { x: n % 7, name: `e${n}`, troops: BigInt(n), note: "new" });
    for (let n = 1; n <= 50; n += 1) setComponent(indexed, entity(n), { x: n % 3, name: "i", troops: 0n, note: undefined });

    expect(getComponentValue(component, entity(5))).toEqual({ x: 5, name: "e5", troops: 5n, note: undefined });
    expect(getComponentValue(component, entity(400))).toEqual({ x: 400 % 7, name: "e400", troops: 400n, note: "new" });
    updateComponent(component, entity(5), { name: "renamed" });
    expect(getComponentValue(component, entity(5))?.name).toBe("renamed");
    expect(hasComponent(component, entity(600))).toBe(true);
    removeComponent(component, entity(600));
    expect(hasComponent(component, entity(600))).toBe(false);
    expect(getComponentValue(component, entity(600))).toBeUndefined();

    const all = new Set(getComponentEntities(component));
    expect(all.size).toBe(599);
    expect(all.has(entity(1))).toBe(true);
    expect(all.has(entity(600))).toBe(false);
    expect(runQuery([Has(component)]).size).toBe(599);
    const sevens = [...runQuery([HasValue(component, { x: 3 })])];
    expect(sevens.length).toBe([...Array(599).keys()].map((i) => i + 1).filter((n) => (n <= 300 ? n === 3 : n % 7 === 3)).length);
    expect(runQuery([HasValue(indexed, { x: 1 })]).size).toBe(17);

    optimistic.addOverride("o1", { entity: entity(7), value: { x: 700 } });
    expect(getComponentValue(optimistic, entity(7))?.x).toBe(700);
    expect(getComponentValue(component, entity(7))?.x).toBe(7);
    optimistic.removeOverride("o1");
    expect(getComponentValue(optimistic, entity(7))?.x).toBe(7);
    world.dispose();
  });
});

describe("sharded Maps in the pipeline", () => {
  let pipeline: SyncPipeline | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    pipeline?.cancel();
    pipeline = undefined;
    vi.useRealTimers();
  });

  const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(0xa11cen), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

  async function boot(entities: number, shardValues?: boolean) {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: entities }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i) }));
    const { world, components } = createTestWorld();
    const xs = components.Army.values.x;
    pipeline = createSyncPipeline({ client, world, components, ...(shardValues === undefined ? {} : { shardValues }) });
    void pipeline.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(pipeline.getState().status).toBe("streaming");
    return { client, components, xs };
  }

  it("should shard each bound component's Maps in place, and keep writing it truly", async () => {
    const entities = 3_000;
    const { client, components, xs } = await boot(entities);
    const values = components.Army.values;
    // The same objects the game (and any overridable component) holds.
    expect(values.x).toBe(xs);
    for (const store of Object.values(values)) expect(isSharded(store as Map<unknown, unknown>)).toBe(true);
    expect(values.x.size).toBe(entities);
    expect(Math.max(...shardsOf(values.x as Map<unknown, unknown>).map((shard) => shard.size))).toBeLessThanOrEqual(Math.ceil((entities / SHARDS) * 1.5));
    client.emit(rawEntity(3, 200, { "test-Army": { x: ty.u32(999) } }));
    client.emit(rawEntity(entities + 1000, 200, { "test-Army": army(5) }));
    await vi.advanceTimersByTimeAsync(200);
    expect(getComponentValue(components.Army, paddedId(3) as Entity)).toMatchObject({ x: 999, y: 0, troops: 10n });
    expect(getComponentValue(components.Army, paddedId(entities + 1000) as Entity)?.x).toBe(5);
    expect([...getComponentEntities(components.Army)].length).toBe(entities + 1);
    // Unbound or untouched components hold no shard Maps they do not use: memory follows the entities.
    const structures = shardsOf(components.Structure.values.level as Map<unknown, unknown>);
    expect(new Set(structures).size).toBe(1);
  });

  it("should make shards only as entities need them, so a small component stays small", async () => {
    const { components } = await boot(3);
    const used = new Set(shardsOf(components.Army.values.x as Map<unknown, unknown>));
    // Three entities: three Maps of their own, and the one shared empty Map every other shard points at.
    expect(used.size).toBe(4);
    expect([...getComponentEntities(components.Army)].length).toBe(3);
  });

  it("should leave RECS's plain Maps with `shardValues: false`", async () => {
    const off = await boot(500, false);
    expect(isSharded(off.components.Army.values.x as Map<unknown, unknown>)).toBe(false);
    expect(off.components.Army.values.x.size).toBe(500);
  });
});
