import { createWorld, defineComponent, getComponentValue, Has, removeComponent, runQuery, setComponent, Type as RecsType, updateComponent, type Entity } from "@dojoengine/recs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SyncError } from "../../src/core/errors";
import { defineMapProjection, type MapItem, type MapSnapshot } from "../../src/map/projection";
import { built } from "../support/map-build";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
// A property test's time grows with its runs (PROPERTY_RUNS=10000 in the long check).
const PROPERTY_TIMEOUT_MS = 5_000 + RUNS * 40;

function setup() {
  const world = createWorld();
  const Army = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, troops: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
  const Structure = defineComponent(world, { owner: RecsType.BigInt, coord: { x: RecsType.Number, y: RecsType.Number }, level: RecsType.Number }, { metadata: { namespace: "t", name: "Structure" } });
  const projection = defineMapProjection({
    layers: {
      armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner, troops: v.troops }) },
      structures: {
        component: Structure,
        position: (v) => v.coord as { x: number; y: number },
        fields: (v) => ({ owner: v.owner, level: v.level }),
      },
    },
  });
  return { world, Army, Structure, projection };
}

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe("defineMapProjection", () => {
  it("should keep the entity and tile indexes exact through create, move, partial update, delete and recreate", async () => {
    const { Army, projection } = setup();
    projection.start();
    setComponent(Army, e(1), { owner: 7n, x: 3, y: 4, troops: 100 });
    await flush();
    let map = projection.getSnapshot();
    expect(map.tile(3, 4)?.layers.armies?.map((item) => item.entity)).toEqual([e(1)]);
    expect(map.item("armies", e(1))).toMatchObject({ x: 3, y: 4, fields: { owner: 7n, troops: 100 } });

    const before = map;
    updateComponent(Army, e(1), { x: 5 });
    await flush();
    map = projection.getSnapshot();
    expect(map.tile(3, 4)).toBeUndefined();
    expect(map.tile(5, 4)?.layers.armies).toHaveLength(1);
    // The old snapshot is untouched.
    expect(before.tile(3, 4)?.layers.armies).toHaveLength(1);
    expect(before.tile(5, 4)).toBeUndefined();

    updateComponent(Army, e(1), { troops: 90 });
    await flush();
    expect(projection.getSnapshot().item("armies", e(1))?.fields).toEqual({ owner: 7n, troops: 90 });

    removeComponent(Army, e(1));
    await flush();
    expect(projection.getSnapshot().tile(5, 4)).toBeUndefined();
    expect(projection.getSnapshot().counts.armies).toBe(0);

    setComponent(Army, e(1), { owner: 8n, x: 1, y: 1, troops: 5 });
    await flush();
    expect(projection.getSnapshot().item("armies", e(1))?.fields).toEqual({ owner: 8n, troops: 5 });
    projection.stop();
  });

  it("should keep a tile's identity when another tile changes, and notify once per batch", async () => {
    const { Army, Structure, projection } = setup();
    setComponent(Structure, e(10), { owner: 1n, coord: { x: 0, y: 0 }, level: 1 });
    projection.start();
    let notified = 0;
    projection.subscribe(() => {
      notified += 1;
    });
    const tile = projection.getSnapshot().tile(0, 0);
    for (let i = 0; i < 50; i += 1) setComponent(Army, e(100 + i), { owner: 2n, x: 10 + i, y: 10, troops: i });
    await flush();
    expect(notified).toBe(1);
    expect(projection.getSnapshot().tile(0, 0)).toBe(tile);
    expect(projection.getSnapshot().area({ minX: 10, minY: 10, maxX: 19, maxY: 10 })).toHaveLength(10);
    projection.stop();
  });

  it("should keep an entity a layer cannot read off the map, report it once with a code, and apply every other change", async () => {
    const world = createWorld();
    const Army = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, troops: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
    const errors: SyncError[] = [];
    const warned: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => warned.push(message), error: () => undefined };
    const projection = defineMapProjection({
      onError: (error) => errors.push(error),
      logging: logger,
      layers: {
        armies: {
          component: Army,
          position: (v) => {
            if (v.troops === 13) throw new Error("unlucky troops");
            return v.troops === 7 ? ({ x: String(v.x), y: v.y } as unknown as { x: number; y: number }) : { x: v.x, y: v.y };
          },
          fields: (v) => ({ owner: v.owner }),
        },
      },
    });
    setComponent(Army, e(1), { owner: 1n, x: 0, y: 0, troops: 13 });
    projection.start();
    // A batch large enough to be warmed, with two unreadable changes in it.
    for (let i = 2; i < 100; i += 1) setComponent(Army, e(i), { owner: 1n, x: i, y: 0, troops: i === 50 ? 13 : i === 60 ? 7 : 1 });
    await flush();
    const map = projection.getSnapshot();
    expect(map.counts.armies).toBe(96);
    expect(map.item("armies", e(50))).toBeUndefined();
    expect(map.item("armies", e(60))).toBeUndefined();
    expect(map.tile(99, 0)?.layers.armies?.[0]?.entity).toBe(e(99));
    expect(projection.rejected).toBe(3);
    expect(errors.map((error) => [error.code, error.entityId])).toEqual([
      ["SYNC_BAD_VALUE", e(1)],
      ["SYNC_BAD_VALUE", e(50)],
      ["SYNC_BAD_VALUE", e(60)],
    ]);
    expect(errors[2]?.message).toContain("not two numbers (x: string, y: number)");
    // Said once per layer and problem: the two throws share a line.
    expect(warned).toHaveLength(2);

    // The next readable change puts it back.
    setComponent(Army, e(50), { owner: 1n, x: 5, y: 5, troops: 1 });
    await flush();
    expect(projection.getSnapshot().item("armies", e(50))).toMatchObject({ x: 5, y: 5 });
    projection.stop();
  });

  it("should answer area() for bounds far wider than the map, or unbounded, by a scan in row order", async () => {
    const { Army, projection } = setup();
    projection.start();
    setComponent(Army, e(1), { owner: 1n, x: 5, y: 2, troops: 1 });
    setComponent(Army, e(2), { owner: 1n, x: -0, y: 2, troops: 1 });
    setComponent(Army, e(3), { owner: 1n, x: 2 ** 31, y: -7, troops: 1 });
    await flush();
    const map = projection.getSnapshot();
    const at = (tiles: ReturnType<MapSnapshot["area"]>) => tiles.map((tile) => `${tile.x},${tile.y}`);
    // A viewport, cell by cell; the tile reached through -0 says 0.
    expect(at(map.area({ minX: -1, minY: 0, maxX: 6, maxY: 3 }))).toEqual(["0,2", "5,2"]);
    expect(Object.is(map.tile(0, 2)?.x, 0)).toBe(true);
    // Wider than the map has tiles, and unbounded: the same answer, without visiting 2^62 cells.
    expect(at(map.area({ minX: -(2 ** 31), minY: -(2 ** 31), maxX: 2 ** 31, maxY: 2 ** 31 }))).toEqual([`${2 ** 31},-7`, "0,2", "5,2"]);
    expect(at(map.area({ minX: -Infinity, minY: 0, maxX: Infinity, maxY: Infinity }))).toEqual(["0,2", "5,2"]);
    expect(map.area({ minX: 3, minY: 0, maxX: 2, maxY: 9 })).toEqual([]);
    expect(map.area({ minX: Number.NaN, minY: 0, maxX: 2, maxY: 9 })).toEqual([]);
    projection.stop();
  });

  it("should tell every listener of a batch when one of them throws, and report that throw as uncaught", async () => {
    const { Army, projection } = setup();
    projection.start();
    const heard: string[] = [];
    projection.subscribe(() => {
      heard.push("first");
      throw new Error("listener bug");
    });
    projection.subscribe(() => heard.push("second"));
    // Run microtasks under a catch, so the rethrown error is seen here instead of failing the run as unhandled.
    const uncaught: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (callback) =>
      original(() => {
        try {
          callback();
        } catch (error) {
          uncaught.push(error);
        }
      });
    try {
      setComponent(Army, e(1), { owner: 1n, x: 1, y: 1, troops: 1 });
      await flush();
      await flush();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(heard).toEqual(["first", "second"]);
    expect(uncaught).toEqual([new Error("listener bug")]);
    expect(projection.getSnapshot().tile(1, 1)?.layers.armies).toHaveLength(1);
    projection.stop();
  });

  it("should change only what RECS changed while stopped when it starts again, and nothing when RECS did not move", async () => {
    const { Army, Structure, projection } = setup();
    setComponent(Army, e(1), { owner: 1n, x: 1, y: 1, troops: 1 });
    setComponent(Army, e(2), { owner: 1n, x: 2, y: 2, troops: 1 });
    setComponent(Structure, e(3), { owner: 1n, coord: { x: 3, y: 3 }, level: 1 });
    projection.start();
    let notified = 0;
    projection.subscribe(() => {
      notified += 1;
    });
    const first = projection.getSnapshot();
    // StrictMode's mount: stop and start with nothing in between.
    projection.stop();
    projection.start();
    await flush();
    expect(projection.getSnapshot()).toBe(first);
    expect(notified).toBe(0);

    projection.stop();
    updateComponent(Army, e(1), { x: 5 });
    removeComponent(Army, e(2));
    setComponent(Army, e(4), { owner: 2n, x: 4, y: 4, troops: 9 });
    projection.start();
    const second = projection.getSnapshot();
    expect(second.version).toBe(first.version + 1);
    expect(notified).toBe(1);
    expect(second.tile(3, 3)).toBe(first.tile(3, 3));
    expect(second.tile(1, 1)).toBeUndefined();
    expect(second.tile(2, 2)).toBeUndefined();
    expect(second.item("armies", e(1))).toMatchObject({ x: 5, y: 1 });
    expect(second.item("armies", e(4))).toMatchObject({ x: 4, y: 4, fields: { owner: 2n, troops: 9 } });
    expect(second.counts).toEqual({ armies: 2, structures: 1 });
    expect(first.tile(2, 2)?.layers.armies).toHaveLength(1);
    expect(describeMap(second)).toEqual(rebuild(undefined, Army, Structure));
    projection.stop();
  });

  it("should stop following RECS after stop()", async () => {
    const { Army, projection } = setup();
    projection.start();
    projection.stop();
    setComponent(Army, e(1), { owner: 1n, x: 1, y: 1, troops: 1 });
    await flush();
    expect(projection.getSnapshot().counts.armies).toBe(0);
    expect(Army.update$.observers?.length ?? 0).toBe(0);
  });

  it("should equal a projection rebuilt from scratch with runQuery after any sequence of RECS writes (property)", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    const write = fc.oneof(
      fc.record({ op: fc.constant("set" as const), id: fc.nat(15), x: fc.integer({ min: -3, max: 3 }), y: fc.integer({ min: -3, max: 3 }), troops: fc.nat(9) }),
      fc.record({ op: fc.constant("move" as const), id: fc.nat(15), x: fc.integer({ min: -3, max: 3 }) }),
      fc.record({ op: fc.constant("troops" as const), id: fc.nat(15), troops: fc.nat(9) }),
      fc.record({ op: fc.constant("remove" as const), id: fc.nat(15) }),
      fc.record({ op: fc.constant("structure" as const), id: fc.nat(15), x: fc.integer({ min: -3, max: 3 }), y: fc.integer({ min: -3, max: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(write, { maxLength: 60 }), fc.nat(60), async (writes, startAt) => {
        const { world, Army, Structure, projection } = setup();
        for (const [index, w] of writes.entries()) {
          if (index === startAt) projection.start();
          const id = e(w.id);
          if (w.op === "set") setComponent(Army, id, { owner: 1n, x: w.x, y: w.y, troops: w.troops });
          else if (w.op === "move" && getComponentValue(Army, id) !== undefined) updateComponent(Army, id, { x: w.x });
          else if (w.op === "troops" && getComponentValue(Army, id) !== undefined) updateComponent(Army, id, { troops: w.troops });
          else if (w.op === "remove") removeComponent(Army, id);
          else if (w.op === "structure") setComponent(Structure, id, { owner: 2n, coord: { x: w.x, y: w.y }, level: 1 });
          if (index % 7 === 0) await flush();
        }
        projection.start();
        // A build of a few entities may still be split by a busy machine: the map is complete once it is done.
        await built(projection);
        await flush();
        expect(describeMap(projection.getSnapshot())).toEqual(rebuild(world, Army, Structure));
        projection.stop();
      }),
      { numRuns: RUNS },
    );
  });

  it("should keep every snapshot it handed out exactly as it was, even before the batch commits (property)", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    const move = fc.record({ id: fc.nat(9), x: fc.integer({ min: -2, max: 2 }), y: fc.integer({ min: -2, max: 2 }), remove: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(move, { maxLength: 8 }), { maxLength: 8 }), async (batches) => {
        const { Army, projection } = setup();
        projection.start();
        const kept: Array<[MapSnapshot, Row[]]> = [];
        for (const batch of batches) {
          const current = projection.getSnapshot();
          kept.push([current, describeMap(current)]);
          for (const w of batch) {
            if (w.remove) removeComponent(Army, e(w.id));
            else setComponent(Army, e(w.id), { owner: 1n, x: w.x, y: w.y, troops: w.id });
          }
          // Written but not committed yet: the snapshot handed out must not see it.
          expect(describeMap(current)).toEqual(kept[kept.length - 1]?.[1]);
          await flush();
        }
        for (const [snapshot, rows] of kept) expect(describeMap(snapshot)).toEqual(rows);
        projection.stop();
      }),
      { numRuns: RUNS },
    );
  });

  it("should answer tile(), item() and items() of every snapshot as they were, through batches large enough to be warmed (property)", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    const move = fc.record({ id: fc.nat(40), x: fc.integer({ min: -3, max: 3 }), y: fc.integer({ min: -3, max: 3 }), remove: fc.boolean() });
    const coords = [-3, -2, -1, 0, 1, 2, 3];
    const ids = Array.from({ length: 41 }, (_, id) => e(id));
    const view = (map: MapSnapshot): string[] => [
      ...coords.flatMap((x) => coords.map((y) => `${x},${y}:${(map.tile(x, y)?.layers.armies ?? []).map((item) => item.entity).join(" ")}`)),
      ...ids.map((id) => `${id}:${JSON.stringify(map.item("armies", id) ?? null, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`),
      ...[...map.items("armies")].map((item) => rowOf("armies", item)).sort(),
      `area:${map.area({ minX: -1, minY: -1, maxX: 1, maxY: 1 }).length}`,
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(move, { minLength: 0, maxLength: 150 }), { minLength: 1, maxLength: 5 }), fc.boolean(), async (batches, restart) => {
        const { Army, projection } = setup();
        projection.start();
        const kept: Array<[MapSnapshot, string[]]> = [];
        for (const [index, batch] of batches.entries()) {
          const current = projection.getSnapshot();
          kept.push([current, view(current)]);
          for (const w of batch) {
            if (w.remove) removeComponent(Army, e(w.id));
            else setComponent(Army, e(w.id), { owner: BigInt(w.id), x: w.x, y: w.y, troops: w.x * 10 + w.y });
          }
          if (restart && index === 1) {
            projection.stop();
            setComponent(Army, e(0), { owner: 99n, x: 3, y: 3, troops: 1 });
            projection.start();
          }
          await flush();
        }
        for (const [snapshot, rows] of kept) expect(view(snapshot)).toEqual(rows);
        await built(projection);
        expect(describeMap(projection.getSnapshot())).toEqual(rebuild(undefined, Army, undefined));
        projection.stop();
      }),
      { numRuns: Math.ceil(RUNS / 5) },
    );
  });
});

type Row = string;
function describeMap(map: MapSnapshot): Row[] {
  const rows: Row[] = [];
  for (const tile of map.tiles()) for (const [layer, items] of Object.entries(tile.layers)) for (const item of items) rows.push(rowOf(layer, item));
  return rows.sort();
}
function rowOf(layer: string, item: Pick<MapItem, "entity" | "x" | "y" | "fields">): Row {
  return `${layer}|${item.entity}|${item.x},${item.y}|${JSON.stringify(item.fields, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`;
}
function rebuild(world: ReturnType<typeof setup>["world"] | undefined, Army: ReturnType<typeof setup>["Army"], Structure: ReturnType<typeof setup>["Structure"] | undefined): Row[] {
  void world;
  const rows: Row[] = [];
  for (const entity of runQuery([Has(Army)])) {
    const v = getComponentValue(Army, entity);
    if (v !== undefined) rows.push(rowOf("armies", { entity, x: v.x, y: v.y, fields: { owner: v.owner, troops: v.troops } }));
  }
  if (Structure !== undefined) for (const entity of runQuery([Has(Structure)])) {
    const v = getComponentValue(Structure, entity);
    if (v !== undefined) rows.push(rowOf("structures", { entity, x: v.coord.x, y: v.coord.y, fields: { owner: v.owner, level: v.level } }));
  }
  return rows.sort();
}
