import { describe, expect, it } from "vitest";
import { readableToriiError, SyncError, toSyncError } from "../../src/core/errors";

describe("toSyncError", () => {
  it("should wrap the wasm client's string rejections in a SyncError with a code and a readable message", () => {
    const raw = `failed to get entities: status: Unavailable, message: "indexer restarting", details: [], metadata: MetadataMap { headers: {"content-type": "application/grpc-web+proto"} }`;
    const error = toSyncError(raw, "SYNC_TORII_ERROR", "Fetching a page");
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("SYNC_TORII_ERROR");
    expect(error.message).toBe("Fetching a page: failed to get entities: Unavailable: indexer restarting");
    expect(error.cause).toBe(raw);
  });

  it("should keep text it does not recognise, and keep SyncErrors as they are", () => {
    expect(readableToriiError("socket hang up")).toBe("socket hang up");
    const original = new SyncError("SYNC_BAD_ID", "bad id");
    expect(toSyncError(original)).toBe(original);
    expect(toSyncError({ reason: 1 }).message).toMatch(/\{"reason":1\}/);
  });
});
