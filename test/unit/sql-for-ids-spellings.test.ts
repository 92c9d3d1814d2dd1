// src/map/sql-client.ts defaultForIds asks each id in both spellings. Run on real SQLite.
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { normalizeEntityId } from "../../src/core/entity-id";
import { readRows, sqlForIds } from "../../src/map/sql-client";

describe("defaultForIds", () => {
  it("finds Torii's minimal-hex rows and padded rows, and readRows keys them by the normalised id", () => {
    const db = new Database(":memory:");
    db.exec(`CREATE TABLE "ns-A" (internal_entity_id TEXT, internal_executed_at TEXT, x INTEGER);
      INSERT INTO "ns-A" VALUES ('0x0', '2026-12-03T10:00:00+00:00', 0), ('0x1abc', '2026-12-03T10:00:00+00:00', 1),
        ('0x${"2".padStart(64, "0")}', '2026-12-03 10:00:00', 2), ('0x3', '2026-12-03T10:00:00+00:00', 3);`);
    const query = { sql: `SELECT internal_entity_id AS id, internal_executed_at AS executed_at, x FROM "ns-A" -- c\n;` };
    const ids = ["0x0", "0x1ABC", "0x2"].map(normalizeEntityId);
    const sql = sqlForIds(query, ids);
    const rows = readRows("a", query, db.prepare(sql).all() as Array<Record<string, unknown>>, 0, (_n, e) => {
      throw e;
    });
    expect([...rows.keys()].sort()).toEqual([...ids].sort());
    expect(rows.get(ids[1] as never)?.version).toBe(1_796_292_000);
    db.close();
  });

  it("cannot be injected: an id that is not a number throws before any SQL is built", () => {
    expect(() => sqlForIds({ sql: "SELECT 1 AS id" }, ["0x1' OR '1'='1"])).toThrow();
  });
});
