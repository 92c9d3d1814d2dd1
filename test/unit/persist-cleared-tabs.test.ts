// A cache deleted under open tabs (clearPersistedSync, e.g. on logout without a reload) closes every tab's connection
// quietly (versionchange): no SYNC_CACHE_* error. The tabs kept sharing through a cache that no longer existed: the
// leader's writer was dead, so a tab opened afterwards made a fresh, empty database, followed, and read that as its
// snapshot (an empty world, although the leader held the whole world and Torii had it). Now a dropped cache makes a
// tab leave the sharing, as a failed one does.
import { afterEach, describe, expect, it } from "vitest";
import { clearPersistedSync } from "../../src/persist/cache";
import { rawEntity } from "../support/ty";
import { MemoryToriiClient } from "../support/memory-client";
import { IDBFactory } from "fake-indexeddb";
import { FakeLockManager } from "./persist-fakes";
import { army, closeTabs, pass, tab, until, xOf } from "./persist-handover-rig";

afterEach(() => closeTabs());

describe("tabs after clearPersistedSync", () => {
  it("should show a tab opened after the cache was cleared the whole world, not an empty one", async () => {
    const client = new MemoryToriiClient();
    client.rows = Array.from({ length: 3 }, (_, i) => rawEntity(i + 1, 100, { "test-Army": army(i + 1) }));
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const leader = tab(client, factory, locks, "a");
    await until(() => leader.pipeline.getState().status === "streaming");
    await until(() => (leader.pipeline.metrics().cache?.watermark ?? 0) >= 100);
    expect(xOf(leader.components, 1)).toBe(1);

    await clearPersistedSync("handover", { indexedDB: factory });
    await pass(1_000);

    const late = tab(client, factory, locks, "c");
    await until(() => late.pipeline.getState().status === "streaming");
    await pass(3_000);
    // The leader still shows the world; the tab opened after the clear should too (Torii has it).
    expect([1, 2, 3].map((n) => xOf(leader.components, n))).toEqual([1, 2, 3]);
    expect([1, 2, 3].map((n) => xOf(late.components, n))).toEqual([1, 2, 3]);
  });
});

describe("clearPersistedSync", () => {
  it("should reject with a typed SYNC_CACHE_* error when the browser cannot list its databases", async () => {
    const factory = new IDBFactory();
    factory.databases = () => Promise.reject(new DOMException("the storage is gone", "UnknownError"));
    await expect(clearPersistedSync(undefined, { indexedDB: factory })).rejects.toMatchObject({ name: "SyncError", code: "SYNC_CACHE_UNAVAILABLE" });
  });
});
