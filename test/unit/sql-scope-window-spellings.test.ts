// the audit/incremental window of sql-scope.ts (`recentWrites`) compares CAST(strftime('%s', internal_executed_at)).
// Run on real SQLite for every spelling a block time may have in that column.
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { parseSqlTimestamp } from "../../src/core/util/sql-timestamp";
import { scopedWatermarkQuery } from "../../src/torii/sql-scope";

const T = 1_796_292_000; // 2026-12-03T10:00:00Z
let db: Database.Database | undefined;
afterEach(() => db?.close());

function window(stored: unknown): { listed: number; watermark: number } {
  db = new Database(":memory:");
  db.exec(`CREATE TABLE entities (id TEXT PRIMARY KEY, keys TEXT); CREATE TABLE "t-M" (internal_id TEXT, internal_entity_id TEXT, internal_executed_at DATETIME)`);
  db.prepare(`INSERT INTO "t-M" VALUES ('0x1', '0x1', ?)`).run(stored);
  const q = scopedWatermarkQuery(["t-M"], undefined);
  const rows = db.prepare(q?.recentWrites(T - 10, T + 10, 100) as string).all();
  const newest = (db.prepare(q?.sql as string).get() as { newest: unknown }).newest;
  return { listed: rows.length, watermark: parseSqlTimestamp(newest) };
}

describe("recentWrites window on real SQLite", () => {
  it.each([
    ["RFC 3339 +00:00", "2026-12-03T10:00:00+00:00"],
    ["RFC 3339 fractional (6 digits)", "2026-12-03T10:00:00.123456+00:00"],
    ["RFC 3339 fractional (9 digits)", "2026-12-03T10:00:00.123456789+00:00"],
    ["RFC 3339 other offset", "2026-12-03T12:00:00+02:00"],
    ["RFC 3339 Z", "2026-12-03T10:00:00Z"],
    ["SQLite text", "2026-12-03 10:00:00"],
  ])("lists a write stored as %s", (_name, stored) => {
    expect(window(stored).listed).toBe(1);
  });

  // torii-sqlite writes RFC 3339 text, but the watermark reads unix seconds too (parseSqlTimestamp), and strftime('%s',
  // 1796292000) would take the number for a Julian day (NULL): the window reads a number as it is.
  it("lists a write stored as unix seconds, which the watermark itself reads", () => {
    const result = window(T);
    expect(result.watermark).toBe(T);
    expect(result.listed).toBe(1);
  });
});
