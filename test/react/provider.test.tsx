import { act, render, screen } from "@testing-library/react";
import { StrictMode, useRef } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncProvider } from "../../src/components/SyncProvider";
import { useSyncMetrics, useSyncState } from "../../src/hooks/useSyncState";
import { useSyncActions } from "../../src/hooks/useSyncActions";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });

let renders = 0;
function StatusBadge() {
  const status = useSyncState((s) => s.status);
  renders += 1;
  return <span data-testid="status">{status}</span>;
}

function AppliedCounter() {
  const applied = useSyncMetrics((m) => m.applied);
  return <span data-testid="applied">{applied}</span>;
}

beforeEach(() => {
  vi.useFakeTimers();
  renders = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe("<SyncProvider>", () => {
  it("should hand toriiUrl to its pipeline: the SQL watermark is asked at {toriiUrl}/sql", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(0) })];
    const { world, components } = createTestWorld();
    const asked: string[] = [];
    const fetch = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify([{ newest: 100, n: 1 }]));
    }) as unknown as typeof globalThis.fetch;
    render(
      <SyncProvider client={client} world={world} components={components} toriiUrl="http://127.0.0.1:8080" options={{ fetch }}>
        <StatusBadge />
      </SyncProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(screen.getByTestId("status").textContent).toBe("streaming");
    expect(asked[0]).toBe("http://127.0.0.1:8080/sql");
  });

  it("should not re-render a status reader while 10,000 entity updates stream through a live pipeline", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(0) })];
    const { world, components } = createTestWorld();
    render(
      <SyncProvider client={client} world={world} components={components}>
        <StatusBadge />
        <AppliedCounter />
      </SyncProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(screen.getByTestId("status").textContent).toBe("streaming");
    const rendersWhileStreaming = renders;
    await act(async () => {
      for (let i = 0; i < 10_000; i += 1) {
        client.emit(rawEntity(2 + (i % 500), 200 + i, { "test-Army": army(i) }));
        if (i % 1000 === 999) await vi.advanceTimersByTimeAsync(60);
      }
      await vi.advanceTimersByTimeAsync(200);
    });
    // The updates landed (the metrics reader saw them)…
    expect(Number(screen.getByTestId("applied").textContent)).toBeGreaterThanOrEqual(500);
    // …and the status reader did not render once more.
    expect(renders - rendersWhileStreaming).toBe(0);
    expect(screen.getByTestId("status").textContent).toBe("streaming");
  });

  it("should leave exactly one live pipeline under StrictMode's double mount, and none after unmount", async () => {
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    const view = render(
      <StrictMode>
        <SyncProvider client={client} world={world} components={components}>
          <StatusBadge />
        </SyncProvider>
      </StrictMode>,
    );
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(client.subscriberCount).toBe(1);
    expect(screen.getByTestId("status").textContent).toBe("streaming");
    view.unmount();
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(client.subscriberCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("should restart only when client, world or clause really change, never for a new callback or an equal clause", async () => {
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    const tree = (clause: unknown, onStateChange: () => void) => (
      <SyncProvider client={client} world={world} components={components} clause={clause} options={{ onStateChange }}>
        <StatusBadge />
      </SyncProvider>
    );
    const first = vi.fn();
    const view = render(tree({ Keys: { keys: [undefined], models: ["test-Army"], pattern_matching: "FixedLen" } }, first));
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(client.subscribeCalls).toBe(1);
    const second = vi.fn();
    view.rerender(tree({ Keys: { pattern_matching: "FixedLen", models: ["test-Army"], keys: [undefined] } }, second));
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(client.subscribeCalls).toBe(1);
    // The newest callback is the one called.
    await act(async () => {
      client.emit({ hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0 });
      await vi.advanceTimersByTimeAsync(100);
    });
    expect(second).toHaveBeenCalled();
    const firstCalls = first.mock.calls.length;
    view.rerender(tree({ HashedKeys: ["0x1"] }, second));
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(client.subscribeCalls).toBe(3);
    expect(client.subscriberCount).toBe(1);
    expect(first.mock.calls.length).toBe(firstCalls);
    view.unmount();
  });

  it("should expose forceReplay through useSyncActions", async () => {
    const client = new MemoryToriiClient();
    const { world, components } = createTestWorld();
    let actions: ReturnType<typeof useSyncActions> | undefined;
    function Grab() {
      const value = useSyncActions();
      const ref = useRef(value);
      ref.current = value;
      actions = value;
      return null;
    }
    render(
      <SyncProvider client={client} world={world} components={components}>
        <Grab />
      </SyncProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(100));
    const pagesBefore = client.pagesServed;
    await act(async () => {
      await actions?.forceReplay();
    });
    expect(client.pagesServed).toBe(pagesBefore + 1);
  });

});
