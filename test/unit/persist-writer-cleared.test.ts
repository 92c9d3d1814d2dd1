// Once the cache is cleared under an open pipeline (clearPersistedSync on logout), its writer must stop holding
// what the engine admits: nothing will ever be written, so the dirty set only grows into a second copy of the world.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { clearPersistedSync, openSyncCache } from "../../src/persist/cache";
import { createFakeTime, turns, write } from "./persist-fakes";

describe("a writer whose cache was cleared", () => {
  it("should hold nothing noted after clearPersistedSync closed its cache (it can never be written)", async () => {
    const factory = new IDBFactory();
    const time = createFakeTime();
    const cache = await openSyncCache({ name: "cleared", identity: { fingerprint: "f", packageVersion: "1" }, indexedDB: factory, timers: time.tab() });
    if (cache === undefined) throw new Error("the cache did not open");
    const writer = cache.createWriter({ watermark: "explicit", flushIntervalMs: 0 });
    writer.note([write(1, "ns-Army", { hp: [1, 100] })]);
    await writer.flush();
    expect(writer.pending).toBe(0);

    await clearPersistedSync("cleared", { indexedDB: factory });
    expect(cache.dropped).toBe(true);
    // The game keeps streaming after the logout: every admitted change is still handed to the writer.
    for (let n = 0; n < 1_000; n += 1) writer.note([write(n + 2, "ns-Army", { hp: [n, 200] })]);
    time.advance(1_000);
    await turns(20);
    expect(writer.pending).toBe(0);
  });
});
