import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncProvider } from "../../src/components/SyncProvider";
import type { ComponentsInput } from "../../src/core/writer/bindings";
import { useSyncState } from "../../src/hooks/useSyncState";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

function Status() {
  return <span data-testid="status">{useSyncState((s) => s.status)}</span>;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("<SyncProvider> given its components after the client and world", () => {
  it("should start the pipeline once components arrive (client and world unchanged)", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const { world, components } = createTestWorld();
    // The RECS world is a module singleton in Dojo apps and the client is ready; the components come a render later.
    const tree = (input: ComponentsInput | undefined) => (
      <SyncProvider client={client} world={world} components={input}>
        <Status />
      </SyncProvider>
    );
    const view = render(tree(undefined));
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(client.subscribeCalls).toBe(0);
    view.rerender(tree(components));
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(client.subscribeCalls).toBe(1);
    expect(screen.getByTestId("status").textContent).toBe("streaming");
    view.unmount();
  });
});
