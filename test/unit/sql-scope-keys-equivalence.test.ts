// The Keys/HashedKeys translation of sql-scope.ts, run on real SQLite against Torii's own regex
// (torii-sqlite build_keys_pattern). Checks: LIKE special characters, case, 0x1 vs 0x10, given keys after a wildcard,
// VariableLen trailing wildcards, 0x0 keys, felts of 63-64 digits, composites.
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { scopedWatermarkQuery } from "../../src/torii/sql-scope";

const hex = (felt: bigint): string => `0x${felt.toString(16)}`;
let db: Database.Database | undefined;
afterEach(() => db?.close());

function setup(rows: ReadonlyArray<readonly bigint[]>): void {
  db = new Database(":memory:");
  db.exec(`CREATE TABLE entities (id TEXT PRIMARY KEY, keys TEXT);
    CREATE TABLE "t-M" (internal_id TEXT PRIMARY KEY, internal_entity_id TEXT, internal_executed_at DATETIME, keys TEXT, id TEXT)`);
  rows.forEach((keys, index) => {
    const id = hex(BigInt(index + 1));
    db?.prepare("INSERT INTO entities VALUES (?, ?)").run(id, keys.map((k) => `${hex(k)}/`).join(""));
    // The model table has members called `keys` and `id` too: the subquery must still read entities'.
    db?.prepare(`INSERT INTO "t-M" VALUES (?, ?, '2026-12-03T10:00:00+00:00', 'zzz', 'zzz')`).run(id, id);
  });
}

function torii(clauseKeys: ReadonlyArray<string | undefined>, variable: boolean, keys: readonly bigint[]): boolean {
  const given = clauseKeys.length === 0 ? [undefined] : clauseKeys;
  const parts = given.map((key) => (key === undefined ? "0x[0-9a-fA-F]+" : hex(BigInt(key))));
  return new RegExp(`^${parts.join("/")}${variable ? "(/0x[0-9a-fA-F]+)*" : ""}/$`).test(keys.map((k) => `${hex(k)}/`).join(""));
}

const count = (sql: string): number => Number((db?.prepare(sql).get() as { n: number }).n);

describe("Keys clause → LIKE equals Torii's regex", () => {
  it("matches exactly on an adversarial alphabet (prefixes, 0x0, 64-digit felts, 1–4 keys)", () => {
    const big = (1n << 251n) + 17n;
    const alphabet = [0x0n, 0x1n, 0x10n, 0x100n, 0x11n, big, big * 16n % (1n << 252n)];
    const rows: bigint[][] = [];
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let i = 0; i < 300; i += 1) rows.push(Array.from({ length: 1 + rnd(4) }, () => alphabet[rnd(alphabet.length)] as bigint));
    setup(rows);
    const options: Array<string | undefined> = [undefined, "0x1", "0x10", "0X0", `0x${"0".repeat(63)}1`, hex(big).toUpperCase().replace("0X", "0x")];
    let checked = 0;
    for (const variable of [false, true])
      for (let length = 0; length <= 3; length += 1)
        for (let pick = 0; pick < options.length ** length; pick += 1) {
          const clauseKeys = Array.from({ length }, (_, i) => options[Math.floor(pick / options.length ** i) % options.length]);
          const q = scopedWatermarkQuery(["t-M"], { Keys: { keys: clauseKeys, pattern_matching: variable ? "VariableLen" : "FixedLen", models: [] } });
          if (q === undefined) continue;
          const expected = rows.filter((keys) => torii(clauseKeys, variable, keys)).length;
          expect({ clauseKeys, variable, n: count(q.sql) }).toEqual({ clauseKeys, variable, n: expected });
          checked += 1;
        }
    expect(checked).toBeGreaterThan(200);
  });

  it("nested in a Composite (And/Or) with HashedKeys", () => {
    setup([[1n], [1n, 2n], [0x10n, 2n]]);
    const clause = { Composite: { operator: "Or", clauses: [{ Keys: { keys: ["0x1", undefined], pattern_matching: "FixedLen", models: [] } }, { HashedKeys: [`0x${"3".padStart(64, "0")}`] }] } };
    expect(count(scopedWatermarkQuery(["t-M"], clause)?.sql as string)).toBe(2);
  });
});
