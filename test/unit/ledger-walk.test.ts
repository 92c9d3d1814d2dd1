import { describe, expect, it } from "vitest";
import type { Timers } from "../../src/core/clock";
import { normalizeEntityId, type EntityId } from "../../src/core/entity-id";
import { EntityLedger } from "../../src/core/ledger";
import { planRemovals } from "../../src/core/replay/reconcile";
import { Slicer } from "../../src/core/util/slicer";
import { packVersion } from "../../src/core/version";

// Reconciliation walks every entity the ledger holds, yielding between slices. It used to copy the ids first (one
// block of 3-10 ms at 100,000 entities, before its first slice); it now walks the ledger in place, and must still visit
// exactly the entities held when the walk began, whatever is made or removed while it waits.

const idOf = (n: number): EntityId => normalizeEntityId(`0x${n.toString(16)}`);
const MODEL = "ns-Army";

function ledgerWith(count: number): EntityLedger {
  const ledger = new EntityLedger(() => false, [{ tag: MODEL, fields: ["x"] }]);
  for (let n = 1; n <= count; n += 1) ledger.admitWrite(idOf(n), MODEL, new Map([["x", packVersion(100, 0)]]), true);
  return ledger;
}

/** Step a walk `perStep` entities at a time, running `between(step)` after each step; the ids visited, in order. */
function walkAll(ledger: EntityLedger, perStep: number, between: (step: number) => void = () => undefined): EntityId[] {
  const seen: EntityId[] = [];
  const walk = ledger.walk();
  let step = 0;
  let inStep = 0;
  const stop = (): boolean => {
    inStep += 1;
    return inStep >= perStep;
  };
  try {
    for (;;) {
      inStep = 0;
      const more = walk.step((id) => seen.push(id), stop);
      if (!more) break;
      between((step += 1));
    }
  } finally {
    walk.close();
  }
  return seen;
}

describe("EntityLedger.walk", () => {
  it("should visit every entity once, resuming where each step stopped", () => {
    const ledger = ledgerWith(50);
    const seen = walkAll(ledger, 7);
    expect(seen).toHaveLength(50);
    expect(new Set(seen).size).toBe(50);
  });

  it("should not visit entities made after it began, nor a freed slot given to another entity, nor one removed meanwhile", () => {
    const ledger = ledgerWith(40);
    // Frees slots: the next entities made reuse them, before and after the walk's position.
    ledger.admitEntityDelete(idOf(2), packVersion(200, 0));
    ledger.admitEntityDelete(idOf(39), packVersion(200, 0));
    ledger.pruneTombstones(packVersion(300, 0));
    const before = new Set([...Array.from({ length: 40 }, (_, i) => idOf(i + 1))].filter((id) => id !== idOf(2) && id !== idOf(39)));
    expect(ledger.liveEntityCount()).toBe(38);
    const made: EntityId[] = [];
    const seen = walkAll(ledger, 5, (step) => {
      if (step === 1) {
        // Two new entities take the freed slots (one behind the walk, one ahead of it), a third a new slot at the end.
        for (const n of [1001, 1002, 1003]) {
          ledger.admitWrite(idOf(n), MODEL, new Map([["x", packVersion(150, 0)]]), true);
          made.push(idOf(n));
        }
        // And one entity ahead of the walk is removed (pruned away) before the walk reaches it.
        ledger.admitEntityDelete(idOf(30), packVersion(200, 0));
        ledger.pruneTombstones(packVersion(300, 0));
      }
    });
    for (const id of made) expect(seen).not.toContain(id);
    expect(seen).not.toContain(idOf(30));
    expect(new Set(seen)).toEqual(new Set([...before].filter((id) => id !== idOf(30))));
  });

  it("should stop noting new entities once closed: the next walk visits them", () => {
    const ledger = ledgerWith(3);
    const first = ledger.walk();
    ledger.admitWrite(idOf(99), MODEL, new Map([["x", packVersion(150, 0)]]), true);
    first.close();
    first.close();
    expect(first.step(() => undefined, () => false)).toBe(false);
    expect(walkAll(ledger, 100)).toContain(idOf(99));
  });
});

/** A clock that advances `perRead` ms each time it is read, and yields with setImmediate: slices end after a few items. */
function steppingTimers(perRead: number, onYield: () => void): Timers {
  let clock = 0;
  return {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    now: () => clock,
    monotonic: () => (clock += perRead),
    defer: (callback) => {
      onYield();
      setImmediate(callback);
    },
  };
}

describe("planRemovals while the ledger changes between slices", () => {
  it("should plan no removal of an entity made while the walk waited, even in a slot freed before", async () => {
    const ledger = ledgerWith(200);
    ledger.admitEntityDelete(idOf(150), packVersion(200, 0));
    ledger.pruneTombstones(packVersion(300, 0));
    const seen = new Set(Array.from({ length: 200 }, (_, i) => idOf(i + 1)));
    let yields = 0;
    const timers = steppingTimers(1, () => {
      yields += 1;
      // At the first yield, entities arrive that the snapshot never listed (a stream update released early, a relay).
      if (yields === 1) for (const n of [5001, 5002]) ledger.admitWrite(idOf(n), MODEL, new Map([["x", packVersion(400, 0)]]), true);
    });
    const removals = await planRemovals(ledger, seen, [], () => true, new Slicer(timers, 4));
    expect(yields).toBeGreaterThan(3);
    expect(removals).toEqual([]);
  });

  it("should still plan the removal of every entity the snapshot lacked, across slices", async () => {
    const ledger = ledgerWith(300);
    const seen = new Set(Array.from({ length: 300 }, (_, i) => idOf(i + 1)).filter((_, i) => i % 10 !== 0));
    let yields = 0;
    const removals = await planRemovals(ledger, seen, [], () => true, new Slicer(steppingTimers(1, () => (yields += 1)), 4));
    expect(yields).toBeGreaterThan(3);
    expect(removals.map((removal) => removal.entityId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => idOf(i * 10 + 1)).sort());
  });
});
