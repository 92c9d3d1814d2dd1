import { describe, expect, it } from "vitest";
import { createWriteAudit } from "../../src/core/guard/audit";
import { EntityLedger } from "../../src/core/ledger";
import type { RecentWrite, ScopeWatermark, SyncSource } from "../../src/core/ports";

// A tab's source changes what it offers with its role: a follower's relay reads no SQL, the leader's source does. The
// audit must follow that, not what the source offered when the pipeline was built.

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function followerSource(): Mutable<SyncSource> {
  return {
    scopes: ["entities"],
    fetchPage: async () => ({ nextCursor: undefined, rows: 0 }),
    subscribe: async () => ({ cancel: () => undefined, cancelled: false }),
    openStreams: () => 0,
    cancelPending: () => undefined,
  };
}

describe("the flowing-stream audit and a source whose role changes", () => {
  it("should audit once the source gains Torii's SQL (a follower tab that became the leader)", async () => {
    const source = followerSource();
    const audit = createWriteAudit({ source, ledger: new EntityLedger(), baseline: () => undefined, seenExecutedAt: () => 200 });
    expect(audit.available).toBe(false);
    expect(await audit.audit()).toEqual({ kind: "blind" });

    // The tab leads now: its source reads the watermark and the recent writes, and one write never reached the client.
    let watermarks = 0;
    source.watermark = async (): Promise<ScopeWatermark> => {
      watermarks += 1;
      return { newestExecutedAt: 100, count: 1 };
    };
    source.recentWrites = async (): Promise<readonly RecentWrite[]> => [{ entityId: "0x1", model: "ns-Army", executedAt: 100 }];
    expect(audit.available).toBe(true);
    expect(await audit.audit()).toMatchObject({ kind: "healthy" });
    expect(await audit.audit()).toMatchObject({ kind: "ahead", detail: expect.stringMatching(/ns-Army of 0x0+1 changed at 100/) });
    expect(watermarks).toBe(2);
  });
});
