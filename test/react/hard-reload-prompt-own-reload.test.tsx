import { act, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HardReloadPrompt } from "../../src/components/HardReloadPrompt";
import { SyncProvider } from "../../src/components/SyncProvider";
import type { SyncEvent } from "../../src/core/events";
import { noPageEnvironment } from "../../src/core/guard/environment";
import { createSyncPipeline, type SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { MemoryToriiClient } from "../support/memory-client";
import { createTestWorld } from "../support/world";

let pipeline: SyncPipeline | undefined;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  pipeline?.cancel();
  vi.useRealTimers();
});

/** A real pipeline whose Torii never answers a page: one attempt, and the budget is spent. */
function failingPipeline(): { pipeline: SyncPipeline; events: SyncEvent[] } {
  const client = new MemoryToriiClient();
  client.getEntities = async () => {
    throw new Error("torii down");
  };
  const { world, components } = createTestWorld();
  const p = createSyncPipeline({ client, world, components, environment: noPageEnvironment, logging: false, inspector: false, guard: { maxReplayAttempts: 1 } });
  const events: SyncEvent[] = [];
  p.subscribeEvents((event) => events.push(event));
  pipeline = p;
  return { pipeline: p, events };
}

describe("<HardReloadPrompt onReload>", () => {
  it("should announce sync_hard_reload_requested to the sinks when 'Reload page' runs the prompt's own onReload", async () => {
    const { pipeline: p, events } = failingPipeline();
    const onReload = vi.fn();
    render(
      <SyncProvider pipeline={p}>
        <HardReloadPrompt onReload={onReload} />
      </SyncProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(p.getState().status).toBe("error");
    fireEvent.click(screen.getByRole("button", { name: "Reload page" }));
    expect(onReload).toHaveBeenCalledTimes(1);
    // Without onReload the prompt goes through useSyncActions().hardReload, which announces it; with it, nothing does.
    expect(events.map((e) => e.type)).toContain("hard_reload_requested");
  });
});
