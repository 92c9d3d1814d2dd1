import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TileTable } from "../../src/map/tile-table";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
// A property test's time grows with its runs (PROPERTY_RUNS=10000 in the long check).
const PROPERTY_TIMEOUT_MS = 5_000 + RUNS * 20;

const coordinate = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom(-0, 0.5, -7.25, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, -(2 ** 31), Number.MAX_SAFE_INTEGER, Infinity));
const op = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), x: coordinate, y: coordinate, value: fc.option(fc.nat(99), { nil: undefined }) }),
  fc.record({ kind: fc.constant("setIfAbsent" as const), x: coordinate, y: coordinate, value: fc.nat(99) }),
  fc.record({ kind: fc.constant("delete" as const), x: coordinate, y: coordinate }),
);

/** The reference: a Map keyed by "x,y", where `${-0}` is "0" as the table treats -0 and 0 as one tile. */
const keyOf = (x: number, y: number): string => `${x},${y}`;

describe("TileTable", () => {
  it("should behave like a Map keyed by (x, y) through any sequence of sets and deletes (property)", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 1_500 }), (ops) => {
        const table = new TileTable<number>();
        const model = new Map<string, { x: number; y: number; value: number | undefined }>();
        for (const step of ops) {
          const key = keyOf(step.x, step.y);
          if (step.kind === "set") {
            table.set(step.x, step.y, step.value);
            model.set(key, { x: step.x + 0, y: step.y + 0, value: step.value });
          } else if (step.kind === "setIfAbsent") {
            table.setIfAbsent(step.x, step.y, step.value);
            if (!model.has(key)) model.set(key, { x: step.x + 0, y: step.y + 0, value: step.value });
          } else {
            expect(table.delete(step.x, step.y)).toBe(model.delete(key));
          }
          expect(table.has(step.x, step.y)).toBe(model.has(key));
          expect(table.get(step.x, step.y)).toBe(model.get(key)?.value);
        }
        expect(table.size).toBe(model.size);
        for (const { x, y, value } of model.values()) {
          expect(table.has(x, y)).toBe(true);
          expect(table.get(x, y)).toBe(value);
          expect(table.valueAt(table.find(x, y))).toBe(value);
        }
        const listed: string[] = [];
        table.forEach((value, x, y) => listed.push(`${keyOf(x, y)}=${value}`));
        expect(listed.sort()).toEqual([...model.entries()].map(([key, entry]) => `${key}=${entry.value}`).sort());
      }),
      { numRuns: RUNS },
    );
  });

  it("should keep every key reachable when deletes empty the middle of long probe runs", () => {
    // 20,000 keys fill and grow the table many times; deleting every other one moves many runs back by shifts.
    const table = new TileTable<number>();
    const side = 200;
    for (let x = 0; x < side; x += 1) for (let y = 0; y < side / 2; y += 1) table.set(2 ** 31 + x, 2 ** 31 + y, x * side + y);
    for (let x = 0; x < side; x += 1) for (let y = 0; y < side / 2; y += 1) if ((x + y) % 2 === 0) expect(table.delete(2 ** 31 + x, 2 ** 31 + y)).toBe(true);
    let found = 0;
    for (let x = 0; x < side; x += 1) {
      for (let y = 0; y < side / 2; y += 1) {
        const kept = (x + y) % 2 === 1;
        expect(table.get(2 ** 31 + x, 2 ** 31 + y)).toBe(kept ? x * side + y : undefined);
        if (kept) found += 1;
      }
    }
    expect(table.size).toBe(found);
    expect(found).toBe((side * side) / 4);
  });

  it("should treat -0 as 0, keep undefined values as present, and refuse NaN", () => {
    const table = new TileTable<string>();
    table.set(-0, 3, "a");
    expect(table.get(0, 3)).toBe("a");
    table.set(1, 1, undefined);
    expect(table.has(1, 1)).toBe(true);
    expect(table.get(1, 1)).toBeUndefined();
    expect(table.find(9, 9)).toBeLessThan(0);
    expect(() => table.set(Number.NaN, 0, "x")).toThrow(RangeError);
    expect(table.has(Number.NaN, 0)).toBe(false);
  });
});
