import { afterEach, describe, expect, it } from "vitest";
import { SyncError } from "../../src/core/errors";
import type { ToriiClientLike } from "../../src/torii/client-types";
import { createToriiSource } from "../../src/torii/source";
import { connectToriiClient, startFakeTorii, waitFor, type FakeTorii, type WasmToriiClient } from "torii-sync-guard/testing";

let fake: FakeTorii | undefined;
let client: WasmToriiClient | undefined;

afterEach(async () => {
  client?.free();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

describe("the Torii adapter with the real client", () => {
  it("should fail a subscribe with SYNC_SUBSCRIBE_TIMEOUT when the server is down, instead of hanging", async () => {
    fake = await startFakeTorii({ seed: 61, world: { seed: 61, activity: false } });
    client = await connectToriiClient(fake);
    await fake.close();
    const source = createToriiSource(client as unknown as ToriiClientLike, { subscribeTimeoutMs: 500, worldAddresses: [fake.worldAddress] });
    const started = Date.now();
    const error = await source.subscribe("entities", () => undefined).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe("SYNC_SUBSCRIBE_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(source.openStreams()).toBe(0);
    // The client's own subscribe is still pending (it never settles while Torii is down) and borrows the client:
    // free() would throw "attempted to take ownership of Rust value while it was borrowed". Leave it to the GC.
    client = undefined;
  });

  it("should make cancel() of a real subscription idempotent, and close the stream on the server", async () => {
    fake = await startFakeTorii({ seed: 62, world: { seed: 62, activity: false } });
    client = await connectToriiClient(fake);
    const source = createToriiSource(client as unknown as ToriiClientLike, { worldAddresses: [fake.worldAddress] });
    const handle = await source.subscribe("entities", () => undefined);
    expect(fake.stats().subscribers).toBe(1);
    handle.cancel();
    expect(() => handle.cancel()).not.toThrow();
    expect(handle.cancelled).toBe(true);
    await waitFor(() => fake?.stats().subscribers === 0, { description: "the server to see the stream close" });
    expect(source.openStreams()).toBe(0);
  });

  it("should wrap the client's string rejections in SyncErrors with a code", async () => {
    fake = await startFakeTorii({ seed: 63, world: { seed: 63, activity: false } });
    client = await connectToriiClient(fake);
    fake.chaos.failNextPages(1, { message: "indexer restarting" });
    const source = createToriiSource(client as unknown as ToriiClientLike, { worldAddresses: [fake.worldAddress] });
    const error = await source.fetchPage("entities", undefined, 10, "snapshot").then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe("SYNC_TORII_ERROR");
    expect((error as SyncError).message).toContain("indexer restarting");
  });
});
