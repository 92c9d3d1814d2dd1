// parseSqlTimestamp (src/core/util/sql-timestamp.ts) on the spellings a /sql answer may carry.
import { afterEach, describe, expect, it } from "vitest";
import { parseSqlTimestamp } from "../../src/core/util/sql-timestamp";

const T = 1_796_292_000; // 2026-12-03T10:00:00Z
const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe("parseSqlTimestamp", () => {
  it.each([
    ["2026-12-03T10:00:00+00:00", T],
    ["2026-12-03T12:30:00+02:30", T],
    ["2026-12-03T05:00:00-05:00", T],
    ["2026-12-03T10:00:00.123456+00:00", T],
    ["2026-12-03T10:00:00.999999999+00:00", T],
    ["2026-12-03T10:00:00Z", T],
    ["2026-12-03 10:00:00", T],
    [String(T), T],
    [T, T],
  ])("reads %s", (raw, expected) => {
    expect(parseSqlTimestamp(raw)).toBe(expected);
  });

  it.each([["0000-00-00 00:00:00"], [""], ["-000001-01-01T00:00:00Z"], ["1969-12-31T23:59:59Z"], [Number.POSITIVE_INFINITY], [-1], [1.5], ["99999999999999999999"]])("refuses %s with SYNC_PROBE_FAILED", (raw) => {
    expect(() => parseSqlTimestamp(raw)).toThrowError(expect.objectContaining({ code: "SYNC_PROBE_FAILED" }));
  });

  // SQLite (and the recentWrites window's strftime) read a time without an offset as UTC; Date.parse reads
  // an ISO date-time without an offset as LOCAL time, so the same row is off by the machine's UTC offset.
  it("reads an ISO date-time without an offset as UTC, like SQLite", () => {
    process.env.TZ = "Asia/Tokyo";
    expect(parseSqlTimestamp("2026-12-03T10:00:00")).toBe(T);
  });

  // SQLite's own time-value format 'YYYY-MM-DD HH:MM:SS+HH:MM' (accepted by strftime in the window) is
  // refused: a 'Z' is appended after the offset.
  it("reads SQLite's 'YYYY-MM-DD HH:MM:SS+00:00'", () => {
    expect(parseSqlTimestamp("2026-12-03 10:00:00+00:00")).toBe(T);
  });
});
