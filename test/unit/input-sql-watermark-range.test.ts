import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { parseSqlTimestamp } from "../../src/core/util/sql-timestamp";
import { SyncError } from "../../src/core/errors";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

let pipeline: SyncPipeline | undefined;
let client: MemoryToriiClient;

beforeEach(() => {
  vi.useFakeTimers();
  client = new MemoryToriiClient();
});

afterEach(() => {
  pipeline?.cancel();
  pipeline = undefined;
  vi.useRealTimers();
});

describe("SQL watermark: a `newest` a version cannot hold", () => {
  it("should refuse a non-finite or out-of-range number as a timestamp with a SyncError", () => {
    // JSON.parse("1e400") is Infinity: a number Torii's JSON can carry.
    expect(() => parseSqlTimestamp(JSON.parse("1e400"))).toThrow(SyncError);
    // Past what a version holds (decode.ts refuses the same for executed_at with SYNC_BAD_TIMESTAMP).
    expect(() => parseSqlTimestamp("99999999999999999999")).toThrow(SyncError);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, "1969-12-31 23:59:59"]) expect(() => parseSqlTimestamp(bad)).toThrow(expect.objectContaining({ code: "SYNC_PROBE_FAILED" }));
    // What a version holds still reads, in each form Torii's SQL answers.
    expect([parseSqlTimestamp(1_700_000_000), parseSqlTimestamp("0001700000000"), parseSqlTimestamp("2023-11-14 22:13:20")]).toEqual([1_700_000_000, 1_700_000_000, 1_700_000_000]);
  });

  it("should not spend the replay budget on a watermark of 1e400: an unreadable watermark only skips the check", async () => {
    // The body is raw text: the SQL endpoint answers `newest` as 1e400.
    const fetch = (async () => new Response('[{"newest": 1e400, "n": 1}]')) as unknown as typeof globalThis.fetch;
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const setup = createTestWorld();
    pipeline = createSyncPipeline({ client, world: setup.world, components: setup.components, environment: noPageEnvironment, random: () => 0.5, toriiUrl: "http://127.0.0.1:1", fetch });
    void pipeline.start().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(pipeline.getState().status).not.toBe("error");
    expect(pipeline.getState().status).toBe("streaming");
  });
});
