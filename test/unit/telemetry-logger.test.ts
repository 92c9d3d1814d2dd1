import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipelineOptions } from "../../src/sync/create-sync-pipeline";
import { isDevelopment } from "../../src/telemetry/environment";
import { createStructuredLogger, type SyncLogRecord } from "../../src/telemetry/structured-logger";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const badArmy = { army_id: ty.u32(1), owner: ty.address(1n), x: ty.raw("u32", "wrong"), y: ty.u32(0), troops: ty.u128(1n) };

function consoleSpies() {
  return (["debug", "info", "warn", "error", "log"] as const).map((level) => vi.spyOn(console, level).mockImplementation(() => undefined));
}

async function runFlood(options: Partial<SyncPipelineOptions>): Promise<void> {
  const client = new MemoryToriiClient();
  const { world, components } = createTestWorld();
  const pipeline = createSyncPipeline({ client, world, components, environment: noPageEnvironment, ...options });
  await pipeline.start();
  for (let i = 0; i < 20; i += 1) client.emit(rawEntity(i + 1, 100, { "test-Army": badArmy }));
  await vi.advanceTimersByTimeAsync(100);
  pipeline.cancel();
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("the structured logger", () => {
  it("should route records tagged `sync` with their entity, model and code to the app's logger, a flood once", async () => {
    const records: SyncLogRecord[] = [];
    await runFlood({ logger: (record) => records.push(record), inspector: "torii-sync:game" });
    const bad = records.filter((record) => record.code === "SYNC_BAD_VALUE");
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({
      level: "warn",
      tag: "sync",
      code: "SYNC_BAD_VALUE",
      model: "test-Army",
      entityId: `0x${"1".padStart(64, "0")}`,
      pipeline: "torii-sync:game",
    });
    expect(bad[0]?.message).toContain("SYNC_BAD_VALUE");
    // The transitions are records too: idle → replaying → streaming.
    expect(records.filter((record) => record.level === "info").map((record) => record.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^idle → replaying/), expect.stringMatching(/^replaying → streaming/)]));
    expect(records.every((record) => record.tag === "sync")).toBe(true);
  });

  it("should carry version and block when the engine gives them", () => {
    const records: SyncLogRecord[] = [];
    const logger = createStructuredLogger({ logger: (record) => records.push(record), logging: false });
    logger.log("debug", "applied", { entityId: "0x1", model: "ns-Army", version: 1_700_000_000, block: 42 });
    expect(records).toEqual([{ level: "debug", tag: "sync", message: "applied", entityId: "0x1", model: "ns-Army", version: 1_700_000_000, block: 42, pipeline: "torii-sync:default" }]);
  });

  it("should keep the console quiet when the app routes records to its own logger", async () => {
    vi.stubEnv("NODE_ENV", "development");
    const spies = consoleSpies();
    const records: SyncLogRecord[] = [];
    await runFlood({ logger: (record) => records.push(record) });
    expect(records.length).toBeGreaterThan(0);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it("should print readable [sync-guard] lines by default in development, a flood once", async () => {
    vi.stubEnv("NODE_ENV", "development");
    const [, info, warn] = consoleSpies();
    await runFlood({});
    expect(info?.mock.calls.map((call) => call[0])).toEqual(expect.arrayContaining([expect.stringMatching(/^\[sync-guard\] idle → replaying/)]));
    const floods = warn?.mock.calls.filter((call) => String(call[0]).includes("SYNC_BAD_VALUE")) ?? [];
    expect(floods).toHaveLength(1);
    expect(floods[0]?.[0]).toMatch(/^\[sync-guard\] SYNC_BAD_VALUE/);
    expect(floods[0]?.[1]).toMatchObject({ code: "SYNC_BAD_VALUE", model: "test-Army" });
  });

  it("should print nothing by default in production, and print when asked with logging: true", async () => {
    vi.stubEnv("NODE_ENV", "production");
    let spies = consoleSpies();
    await runFlood({});
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    spies = consoleSpies();
    await runFlood({ logging: true });
    expect(spies[2]).toHaveBeenCalled();
  });

  it("should surface a throwing app logger outside the engine, and keep syncing", () => {
    const later: Array<() => void> = [];
    vi.spyOn(globalThis, "queueMicrotask").mockImplementation((callback) => later.push(callback));
    const logger = createStructuredLogger({
      logging: false,
      logger: () => {
        throw new Error("pino is down");
      },
    });
    expect(() => logger.log("warn", "hello")).not.toThrow();
    expect(later).toHaveLength(1);
    expect(() => later[0]?.()).toThrow("pino is down");
  });
});

describe("isDevelopment", () => {
  it("should follow NODE_ENV: development yes, production and test no, unset (Node) yes", () => {
    vi.stubEnv("NODE_ENV", "development");
    expect(isDevelopment()).toBe(true);
    vi.stubEnv("NODE_ENV", "production");
    expect(isDevelopment()).toBe(false);
    vi.stubEnv("NODE_ENV", "test");
    expect(isDevelopment()).toBe(false);
    vi.stubEnv("NODE_ENV", undefined);
    expect(isDevelopment()).toBe(true);
  });
});
