// The scoped SQL watermark and recent writes, run on SQLite holding rows as Torii writes them (torii-sqlite): ids and
// keys as Rust's `{:#x}` (minimal hex), block times as RFC 3339 text. Before, the queries spelled ids and keys padded
// and bounded times as 'YYYY-MM-DD HH:MM:SS': on Torii a clause-scoped count was 0, and the incremental replay's window
// missed every write of its own day ('T' sorts after ' ').
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { parseSqlTimestamp } from "../../src/core/util/sql-timestamp";
import { scopedWatermarkQuery } from "../../src/torii/sql-scope";

const hex = (felt: bigint): string => `0x${felt.toString(16)}`;
const rfc3339 = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(".000Z", "+00:00");
const DAY = 1_764_720_000; // 2025-12-03T00:00:00Z

interface Row {
  readonly keys: readonly bigint[];
  readonly at: number;
}

let db: Database.Database | undefined;
afterEach(() => db?.close());

/** Torii's tables for one model, with `rows` written as torii-sqlite writes them; ids are the rows' index + 1. */
function toriiDatabase(rows: readonly Row[]): Database.Database {
  const made = new Database(":memory:");
  made.exec(`CREATE TABLE entities (id TEXT PRIMARY KEY, keys TEXT, event_id TEXT, executed_at DATETIME);
    CREATE TABLE "test-Army" (internal_id TEXT PRIMARY KEY, internal_entity_id TEXT, internal_executed_at DATETIME, x INTEGER)`);
  rows.forEach((row, index) => {
    const id = hex(BigInt(index + 1) * 0x10001n);
    made.prepare("INSERT INTO entities VALUES (?, ?, ?, ?)").run(id, row.keys.map((key) => `${hex(key)}/`).join(""), `0x${"0".repeat(62)}01:0x1:0x2:0x00`, rfc3339(row.at));
    made.prepare(`INSERT INTO "test-Army" VALUES (?, ?, ?, ?)`).run(id, id, rfc3339(row.at), index);
  });
  db = made;
  return made;
}

/** Torii's own key matching (torii-sqlite `build_keys_pattern`), to compare with. */
function toriiMatches(clauseKeys: readonly (string | undefined)[], variable: boolean, keys: readonly bigint[]): boolean {
  const given = clauseKeys.length === 0 ? [undefined] : clauseKeys;
  const parts = given.map((key) => (key === undefined ? "0x[0-9a-fA-F]+" : hex(BigInt(key))));
  return new RegExp(`^${parts.join("/")}${variable ? "(/0x[0-9a-fA-F]+)*" : ""}/$`).test(keys.map((key) => `${hex(key)}/`).join(""));
}

function count(sql: string): number {
  return Number((db?.prepare(sql).get() as { n: number }).n);
}

describe("the scoped SQL watermark on Torii's own spelling", () => {
  it("should count what Torii's key matching selects, for FixedLen and VariableLen clauses with wildcards", () => {
    // Keys of 1 to 3 felts from a small alphabet, so clauses match some rows and miss others (0x1 and 0x10 both occur).
    const alphabet = [0x1n, 0x10n, 0x2n, 0xabcn];
    const rows: Row[] = [];
    for (let n = 0; n < 60; n += 1) rows.push({ keys: Array.from({ length: 1 + (n % 3) }, (_, i) => alphabet[(n * 7 + i * 3) % alphabet.length] as bigint), at: DAY + n });
    toriiDatabase(rows);
    const options: Array<string | undefined> = [undefined, "0x1", "0x10", "0x0000000000000000000000000000000000000000000000000000000000000002"];
    let checked = 0;
    for (const variable of [false, true]) {
      for (let length = 0; length <= 3; length += 1) {
        for (let pick = 0; pick < options.length ** length; pick += 1) {
          const clauseKeys = Array.from({ length }, (_, i) => options[Math.floor(pick / options.length ** i) % options.length]);
          const query = scopedWatermarkQuery(["test-Army"], { Keys: { keys: clauseKeys, pattern_matching: variable ? "VariableLen" : "FixedLen", models: [] } });
          // A VariableLen clause with a wildcard before a given key has no exact LIKE: left out (no SQL figures).
          const wildcardFirst = variable && clauseKeys.some((key, i) => key === undefined && clauseKeys.slice(i + 1).some((later) => later !== undefined));
          if (wildcardFirst) {
            expect(query).toBeUndefined();
            continue;
          }
          const expected = rows.filter((row) => toriiMatches(clauseKeys, variable, row.keys)).length;
          expect({ clauseKeys, variable, n: count(query?.sql as string) }).toEqual({ clauseKeys, variable, n: expected });
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("should find entities listed by id in either spelling, and read the newest block time", () => {
    toriiDatabase([{ keys: [0x1n], at: DAY + 5 }, { keys: [0x2n], at: DAY + 9 }]);
    const minimal = hex(0x10001n);
    const padded = `0x${"10001".padStart(64, "0")}`;
    for (const id of [minimal, padded]) expect(count(scopedWatermarkQuery(["test-Army"], { HashedKeys: [id] })?.sql as string)).toBe(1);
    const all = db?.prepare(scopedWatermarkQuery(["test-Army"], undefined)?.sql as string).get() as { newest: unknown; n: number };
    expect([parseSqlTimestamp(all.newest), all.n]).toEqual([DAY + 9, 2]);
  });

  it("should list the writes of a window within one day, bounds as the block times they stand for", () => {
    toriiDatabase([10, 20, 30, 40].map((second) => ({ keys: [BigInt(second)], at: DAY + 36_000 + second })));
    const query = scopedWatermarkQuery(["test-Army"], undefined);
    const rows = db?.prepare(query?.recentWrites(DAY + 36_020, DAY + 36_040, 100) as string).all() as Array<{ id: string; at: unknown }>;
    expect(rows.map((row) => parseSqlTimestamp(row.at)).sort()).toEqual([DAY + 36_030, DAY + 36_040]);
  });
});
