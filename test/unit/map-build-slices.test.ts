import { createWorld, defineComponent, getComponentValue, Has, removeComponent, runQuery, setComponent, Type as RecsType, updateComponent, type Entity } from "@dojoengine/recs";
import { describe, expect, it } from "vitest";
import type { SyncError } from "../../src/core/errors";
import { defineMapProjection, type MapProjection, type MapSnapshot } from "../../src/map/projection";
import { SteppedTimers } from "../support/map-build";

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));
/** A value the layer cannot place: its position is not two numbers. */
const UNREADABLE = -1;

function armyWorld(entities: number) {
  const world = createWorld();
  const Army = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number, troops: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
  for (let i = 0; i < entities; i += 1) setComponent(Army, e(i), { owner: BigInt(i % 97), x: 2 ** 31 + (i % 300), y: 2 ** 31 + Math.floor(i / 600), troops: i % 1000 });
  return Army;
}
type Army = ReturnType<typeof armyWorld>;

/** One layer over Army; `perItem` runs for every value the layer reads (the tests advance their clock in it). */
function armyProjection(Army: Army, options: { perItem?: () => void; time?: SteppedTimers; withDefer?: boolean; sliceMs?: number; errors?: SyncError[] } = {}): MapProjection {
  return defineMapProjection({
    ...(options.time === undefined ? {} : { timers: options.time.timers({ withDefer: options.withDefer ?? true }) }),
    ...(options.sliceMs === undefined ? {} : { buildSliceMs: options.sliceMs }),
    onError: (error) => options.errors?.push(error),
    layers: {
      armies: {
        component: Army,
        position: (v) => {
          options.perItem?.();
          return v.troops === UNREADABLE ? ({ x: "bad", y: 0 } as never) : { x: v.x, y: v.y };
        },
        fields: (v) => ({ owner: v.owner, troops: v.troops }),
      },
    },
  });
}

function rows(map: MapSnapshot): string[] {
  const found: string[] = [];
  for (const tile of map.tiles()) for (const item of tile.layers.armies ?? []) found.push(`${item.entity}|${item.x},${item.y}|${JSON.stringify(item.fields, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`);
  return found.sort();
}
function recsRows(Army: Army): string[] {
  const found: string[] = [];
  for (const entity of runQuery([Has(Army)])) {
    const v = getComponentValue(Army, entity)!;
    if (v.troops !== UNREADABLE) found.push(`${entity}|${v.x},${v.y}|${JSON.stringify({ owner: `${v.owner}n`, troops: v.troops })}`);
  }
  return found.sort();
}

/** Tile by tile, item by item (cheaper than rows at 100,000): the tiles compared and what differed. */
function sameMap(map: MapSnapshot, expected: MapSnapshot): { tiles: number; differences: string[] } {
  const differences: string[] = [];
  let tiles = 0;
  const itemKey = (item: { entity: string; x: number; y: number; fields: unknown }) => {
    const fields = item.fields as { owner: bigint; troops: number };
    return `${item.entity}|${item.x},${item.y}|${fields.owner}|${fields.troops}`;
  };
  for (const tile of map.tiles()) {
    tiles += 1;
    const want = (expected.tile(tile.x, tile.y)?.layers.armies ?? []).map(itemKey).sort().join(" ");
    const got = (tile.layers.armies ?? []).map(itemKey).sort().join(" ");
    if (want !== got && differences.length < 5) differences.push(`(${tile.x}, ${tile.y}): ${got} ≠ ${want}`);
  }
  return { tiles, differences };
}

/** Run the build's queued turns one by one; the clock time each took. */
function runSlices(time: SteppedTimers, between?: (slice: number) => void): number[] {
  const lengths: number[] = [];
  for (let slice = 1; time.pendingTurns + time.pendingTimers > 0; slice += 1) {
    between?.(slice);
    const started = time.clock;
    time.runTurn();
    lengths.push(time.clock - started);
  }
  return lengths;
}

describe("the map's time-sliced build", () => {
  it("should build 100,000 entities in many slices, each within its 4 ms budget, into the same map as a one-shot build", () => {
    const Army = armyWorld(100_000);
    const time = new SteppedTimers();
    const projection = armyProjection(Army, { time, perItem: () => time.advance(0.002) });
    let published = 0;
    projection.subscribe(() => (published += 1));
    const progress: number[] = [];
    projection.subscribeStatus(() => progress.push(projection.getStatus().progress));

    projection.start();
    const first = time.clock;
    const lengths = [first, ...runSlices(time, () => expect(projection.getSnapshot().version).toBe(0))];

    // 2 µs per entity: about 2,000 entities per slice.
    expect(lengths.length).toBeGreaterThanOrEqual(40);
    // The budget, plus at most one clock check's worth of entities (the check comes every ~0.25 ms of work).
    for (const length of lengths) expect(length).toBeLessThanOrEqual(4.5);
    expect(time.clockReads).toBeLessThan(100_000 / 50);
    expect(published).toBe(1);
    expect(progress.slice(0, -1).every((value, index, all) => value > 0 && value < 1 && (index === 0 || value >= (all[index - 1] as number)))).toBe(true);
    expect(projection.getStatus()).toEqual({ building: false, progress: 1 });

    const oneShot = armyProjection(Army, { sliceMs: Infinity });
    oneShot.start();
    expect(oneShot.getStatus().building).toBe(false);
    expect(projection.getSnapshot().counts).toEqual({ armies: 100_000 });
    expect(sameMap(projection.getSnapshot(), oneShot.getSnapshot())).toEqual({ tiles: [...oneShot.getSnapshot().tiles()].length, differences: [] });
    projection.stop();
    oneShot.stop();
  }, 60_000);

  it("should keep the last complete map while building and apply updates that arrive meanwhile exactly once", async () => {
    const n = 3_000;
    const Army = armyWorld(n);
    const time = new SteppedTimers();
    const errors: SyncError[] = [];
    const projection = armyProjection(Army, { time, errors, perItem: () => time.advance(0.01) });
    let published = 0;
    projection.subscribe(() => (published += 1));
    projection.start();
    expect(projection.getStatus().building).toBe(true);
    const empty = projection.getSnapshot();

    // After the first slice (~400 entities read): change entities the walk read and entities it has not reached.
    updateComponent(Army, e(0), { x: 5, y: 5 });
    updateComponent(Army, e(n - 1), { x: 6, y: 6 });
    removeComponent(Army, e(1));
    removeComponent(Army, e(n - 2));
    setComponent(Army, e(n + 5), { owner: 1n, x: 7, y: 7, troops: 1 });
    updateComponent(Army, e(2), { troops: UNREADABLE });
    updateComponent(Army, e(n - 3), { troops: UNREADABLE });
    updateComponent(Army, e(3), { troops: 11 });
    updateComponent(Army, e(3), { troops: 12 });
    await flush();
    // Applied to the map being built, not shown: the map handed out is still the last complete one.
    expect(projection.getSnapshot()).toBe(empty);
    expect(rows(empty)).toEqual([]);

    const lengths = runSlices(time, (slice) => {
      if (slice === 3) updateComponent(Army, e(n - 4), { x: 8, y: 8 });
    });
    expect(lengths.length).toBeGreaterThan(3);
    await flush();

    const map = projection.getSnapshot();
    expect(published).toBe(1);
    expect(rows(map)).toEqual(recsRows(Army));
    expect(map.counts.armies).toBe(n - 2 + 1 - 2);
    expect(map.item("armies", e(0))).toMatchObject({ x: 5, y: 5 });
    expect(map.item("armies", e(n - 1))).toMatchObject({ x: 6, y: 6 });
    expect(map.item("armies", e(3))?.fields).toEqual({ owner: 3n, troops: 12 });
    // Each unreadable value said once: by its update, not again by the walk that found it after.
    expect(errors.map((error) => error.entityId)).toEqual([e(2), e(n - 3)]);
    expect(projection.rejected).toBe(2);
    expect(rows(empty)).toEqual([]);

    // After the build, updates are published as before: one version per batch.
    updateComponent(Army, e(4), { x: 9, y: 9 });
    await flush();
    expect(projection.getSnapshot().version).toBe(map.version + 1);
    expect(projection.getSnapshot().item("armies", e(4))).toMatchObject({ x: 9, y: 9 });
    expect(map.item("armies", e(4))).not.toMatchObject({ x: 9, y: 9 });
    projection.stop();
  });

  it("should not show a loading state for a build that fits in one slice: its map is there when start() returns", () => {
    const Army = armyWorld(200);
    const time = new SteppedTimers();
    const projection = armyProjection(Army, { time, perItem: () => time.advance(0.001) });
    let statusChanges = 0;
    projection.subscribeStatus(() => (statusChanges += 1));
    projection.start();
    expect(projection.getSnapshot().counts.armies).toBe(200);
    expect(statusChanges).toBe(0);
    expect(time.pendingTurns + time.pendingTimers).toBe(0);
    projection.stop();
  });

  for (const withDefer of [false, true]) {
    it(`should leave no timer and read nothing more when stopped mid-build (yielding through ${withDefer ? "defer" : "a zero-delay timer"})`, () => {
      const Army = armyWorld(5_000);
      const time = new SteppedTimers();
      let reads = 0;
      const projection = armyProjection(Army, { time, withDefer, perItem: () => ((reads += 1), time.advance(0.01)) });
      projection.start();
      time.runTurn();
      expect(projection.getStatus().building).toBe(true);
      const readsAtStop = reads;
      projection.stop();
      expect(time.pendingTimers).toBe(0);
      expect(projection.getStatus().building).toBe(false);
      // A turn already handed to `defer` cannot be taken back: it runs, reads nothing and asks for no other.
      expect(time.runAll()).toBeLessThanOrEqual(withDefer ? 1 : 0);
      expect(time.pendingTurns + time.pendingTimers).toBe(0);
      expect(reads).toBe(readsAtStop);
      expect(projection.getSnapshot().version).toBe(0);
      expect(Army.update$.observers?.length ?? 0).toBe(0);
    });
  }

  it("should stop a build that a layer's own code stops during the first slice: no more reads, no timer, not building", () => {
    const Army = armyWorld(5_000);
    const time = new SteppedTimers();
    let reads = 0;
    const projection: MapProjection = armyProjection(Army, {
      time,
      withDefer: false,
      perItem: () => {
        reads += 1;
        time.advance(0.01);
        // The game unmounts the map from inside a layer callback, before start() has returned.
        if (reads === 10) projection.stop();
      },
    });
    projection.start();
    const readsAtStop = reads;
    expect(readsAtStop).toBeLessThanOrEqual(10 + 4);
    expect(time.pendingTimers + time.pendingTurns).toBe(0);
    expect(projection.getStatus()).toEqual({ building: false, progress: 1 });
    time.runAll();
    expect(reads).toBe(readsAtStop);
    expect(Army.update$.observers?.length ?? 0).toBe(0);
  });

  it("should finish a build cut short by a restart (StrictMode's start, stop, start) with one version and each unreadable value reported once", () => {
    const n = 2_000;
    const Army = armyWorld(n);
    for (const id of [0, 900, n - 1]) updateComponent(Army, e(id), { troops: UNREADABLE });
    const time = new SteppedTimers();
    const errors: SyncError[] = [];
    const projection = armyProjection(Army, { time, errors, perItem: () => time.advance(0.01) });
    let published = 0;
    projection.subscribe(() => (published += 1));
    projection.start();
    time.runTurn();
    projection.stop();
    // Moved while stopped: the restarted build finds it, whether or not the first one had read it.
    setComponent(Army, e(10), { owner: 1n, x: 1, y: 1, troops: 1 });
    removeComponent(Army, e(11));
    projection.start();
    runSlices(time);
    expect(published).toBe(1);
    expect(rows(projection.getSnapshot())).toEqual(recsRows(Army));
    expect(errors.map((error) => error.entityId).sort()).toEqual([e(0), e(900), e(n - 1)].sort());
    expect(projection.rejected).toBe(3);

    // A rebuild that finds everything as it was makes no new version.
    projection.stop();
    projection.start();
    runSlices(time);
    expect(published).toBe(1);
    expect(projection.rejected).toBe(3);
    projection.stop();
  });
});
