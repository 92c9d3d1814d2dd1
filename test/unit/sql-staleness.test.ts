import { describe, expect, it } from "vitest";
import type { EntityId } from "../../src/core/entity-id";
import { createStaleRows } from "../../src/map/sql-staleness";
import type { SqlRow } from "../../src/map/sql-types";
import { ManualTimers } from "../support/manual-timers";

const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as EntityId;
const row = (n: number, version: number, stale = false): SqlRow => ({ id: id(n), values: { level: n }, version, lastFetchedAt: 0, stale });

function setup(applied: Record<number, number>, active = true) {
  const timers = new ManualTimers();
  const batches: EntityId[][] = [];
  const versions = new Map(Object.entries(applied).map(([n, v]) => [id(Number(n)), v]));
  const stale = createStaleRows({ timers, batchMs: 250, appliedVersion: (entity) => versions.get(entity), active: () => active, refresh: (ids) => batches.push(ids) });
  return { timers, batches, stale };
}

describe("SQL map rows the stream has overtaken", () => {
  it("should mark a row stale only when the ledger applied a strictly newer version, and leave a marked row as it is", () => {
    const { stale } = setup({ 1: 200, 2: 100, 4: 300 });
    const marked = row(4, 100, true);
    const table = new Map([row(1, 100), row(2, 100), row(3, 100), marked].map((one) => [one.id, one]));
    expect([1, 2, 3, 4, 5].map((n) => stale.mark(table, id(n)))).toEqual([true, false, false, false, false]);
    expect(table.get(id(1))).toMatchObject({ stale: true, version: 100, values: { level: 1 } });
    expect(table.get(id(2))?.stale).toBe(false);
    expect(table.get(id(4))).toBe(marked);
  });

  it("should refresh what was marked in one batch after the batch delay, and start no batch until asked", () => {
    const { stale, timers, batches } = setup({ 1: 200, 2: 200 });
    const table = new Map([row(1, 100), row(2, 100)].map((one) => [one.id, one]));
    stale.mark(table, id(1));
    stale.mark(table, id(2));
    expect(timers.count).toBe(0);
    stale.schedule();
    stale.schedule();
    expect(timers.count).toBe(1);
    timers.advance(249);
    expect(batches).toEqual([]);
    timers.advance(1);
    expect(batches).toEqual([[id(1), id(2)]]);
  });

  it("should start no batch while the source is stopped, and keep what is queued for the next one", () => {
    let active = false;
    const timers = new ManualTimers();
    const batches: EntityId[][] = [];
    const stale = createStaleRows({ timers, batchMs: 250, appliedVersion: () => 200, active: () => active, refresh: (ids) => batches.push(ids) });
    const table = new Map([row(1, 100)].map((one) => [one.id, one]));
    stale.mark(table, id(1));
    stale.schedule();
    expect(timers.count).toBe(0);
    active = true;
    stale.schedule();
    stale.stop();
    expect(timers.count).toBe(0);
    stale.schedule();
    timers.advance(250);
    expect(batches).toEqual([[id(1)]]);
  });
});
