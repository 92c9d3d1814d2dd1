import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { useSyncEvents } from "../../src/hooks/useSyncEvents";
import { useSyncPipeline } from "../../src/hooks/useSyncActions";
import { EVENT_LOG_CAPACITY } from "../../src/telemetry/event-log";
import { createSyncFixture } from "../browser/sync-fixture";

describe("useSyncEvents(limit) with a limit that is not a finite number", () => {
  it.each([
    ["Infinity ('show them all')", Number.POSITIVE_INFINITY],
    ["NaN (a bad prop)", Number.NaN],
  ])("should stay bounded for %s, as the hook promises", (_label, limit) => {
    const { wrap } = createSyncFixture({ status: "streaming" });
    const wrapper = ({ children }: { children: ReactNode }) => <>{wrap(children)}</>;
    const { result } = renderHook(() => ({ events: useSyncEvents(limit), pipeline: useSyncPipeline() }), { wrapper });
    const pipeline = result.current.pipeline as unknown as { emit(event: unknown): void };
    act(() => {
      // A flood of rejected input, as the doc comment puts it.
      for (let i = 0; i < 2_000; i += 1) pipeline.emit({ type: "rejected", at: i, code: "SYNC_BAD_ID" });
    });
    expect(result.current.events.length).toBeLessThanOrEqual(EVENT_LOG_CAPACITY);
  });
});
