import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSyncPipeline } from "../../src/sync/create-sync-pipeline";
import type { SyncLogger } from "../../src/core/log";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

function capture(): SyncLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string) => {
    lines.push(message);
  };
  return { lines, debug: push, info: push, warn: push, error: push };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("logging", () => {
  it("should log through an injected logger, every line tagged [sync-guard], a flood of one bad input once", async () => {
    const logger = capture();
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    const pipeline = createSyncPipeline({ client, world, components, logging: logger });
    await pipeline.start();
    const badArmy = { army_id: ty.u32(1), owner: ty.address(1n), x: ty.raw("u32", "wrong"), y: ty.u32(0), troops: ty.u128(1n) };
    for (let i = 0; i < 50; i += 1) client.emit(rawEntity(i + 1, 100, { "test-Army": badArmy, "test-Nope": { x: ty.u32(1) } }));
    await vi.advanceTimersByTimeAsync(100);
    pipeline.cancel();
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.every((line) => line.startsWith("[sync-guard] "))).toBe(true);
    expect(logger.lines.filter((line) => line.includes("SYNC_BAD_VALUE"))).toHaveLength(1);
    expect(pipeline.metrics().rejectedByCode.SYNC_BAD_VALUE).toBe(50);
    // A model the app does not bind: said once, as information, and counted per model.
    expect(logger.lines.filter((line) => line.includes('"test-Nope"'))).toHaveLength(1);
    expect(pipeline.metrics().unboundModels["test-Nope"]).toBe(50);
  });

  it("should say nothing when logging is false", async () => {
    const spies = (["debug", "info", "warn", "error", "log"] as const).map((level) => vi.spyOn(console, level).mockImplementation(() => undefined));
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    const pipeline = createSyncPipeline({ client, world, components, logging: false });
    await pipeline.start();
    client.emit(rawEntity(1, 100, { "test-Nope": { x: ty.u32(1) } }));
    client.emit({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0 });
    await vi.advanceTimersByTimeAsync(100);
    pipeline.cancel();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
