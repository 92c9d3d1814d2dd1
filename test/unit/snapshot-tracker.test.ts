import { describe, expect, it } from "vitest";
import { normalizeEntityId } from "../../src/core/entity-id";
import { EntityLedger } from "../../src/core/ledger";
import { SnapshotTracker } from "../../src/core/replay/snapshot";
import { isSharded } from "../../src/core/util/sharded-map";
import { nullSink } from "../support/sinks";

describe("SnapshotTracker: the entities a replay's pages listed", () => {
  it("should keep them in a sharded Map, so a world of 100,000 entities never rehashes them all in one add", () => {
    const tracker = new SnapshotTracker(nullSink, new EntityLedger(), true);
    const ids = Array.from({ length: 3_000 }, (_, n) => normalizeEntityId(`0x${(n + 1).toString(16)}`));
    for (const id of ids) tracker.sink.entityEnd("entities", id, 100);
    const seen = tracker.seenIn("entities");
    expect(isSharded(seen as Map<unknown, unknown>)).toBe(true);
    expect(seen.size).toBe(3_000);
    expect(ids.every((id) => seen.has(id))).toBe(true);
    expect(seen.has(normalizeEntityId("0xdead0000"))).toBe(false);
    tracker.restart();
    expect(tracker.seenIn("entities").size).toBe(0);
  });
});
