import { act, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncProvider } from "../../src/components/SyncProvider";
import type { SyncProviderOptions } from "../../src/components/SyncProvider";
import { MemoryToriiClient } from "../support/memory-client";
import { createTestWorld } from "../support/world";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("<SyncProvider options={{ logger }}>", () => {
  it("should send records to the newest logger, like onStateChange ('callbacks may change identity freely')", async () => {
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    const tree = (logger: NonNullable<SyncProviderOptions["logger"]>) => (
      <SyncProvider client={client} world={world} components={components} options={{ logger, logging: false }}>
        <span />
      </SyncProvider>
    );
    const first = vi.fn();
    const second = vi.fn();
    const view = render(tree(first));
    await act(() => vi.advanceTimersByTimeAsync(100));
    // e.g. a logger closing over the signed-in player, rebuilt when they change.
    view.rerender(tree(second));
    await act(() => vi.advanceTimersByTimeAsync(100));
    const firstCalls = first.mock.calls.length;
    await act(async () => {
      client.emit({ hashed_keys: "not-hex", models: { "test-Army": {} }, executed_at: 0, updated_at: 0 });
      await vi.advanceTimersByTimeAsync(100);
    });
    expect(client.subscribeCalls).toBe(1); // no restart, as promised
    expect(second).toHaveBeenCalledWith(expect.objectContaining({ code: "SYNC_BAD_ID" }));
    expect(first.mock.calls.length).toBe(firstCalls);
    view.unmount();
  });
});
