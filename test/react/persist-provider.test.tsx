// <SyncProvider persist>: a warm start on the second mount, no restart for an equal prop, nothing left open on unmount.
// A real IndexedDB implementation (fake-indexeddb) and real timers: the test waits for what the UI shows.
import "fake-indexeddb/auto";
import { render, screen, waitFor } from "@testing-library/react";
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { SyncProvider } from "../../src/components/SyncProvider";
import type { SyncPipeline } from "../../src/core/pipeline";
import { useSyncPipeline } from "../../src/hooks/useSyncActions";
import { useSyncMetrics, useSyncState } from "../../src/hooks/useSyncState";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const OPTIONS = { worldAddresses: ["0x1"], logging: false, inspector: false } as const;

const pipelines: SyncPipeline[] = [];
function Probe() {
  const fromCache = useSyncState((s) => s.fromCache);
  const status = useSyncState((s) => s.status);
  const watermark = useSyncMetrics((m) => m.cache?.watermark);
  const hits = useSyncMetrics((m) => m.cache?.hits);
  const pipeline = useSyncPipeline();
  if (pipeline !== undefined && !pipelines.includes(pipeline)) pipelines.push(pipeline);
  return <span data-testid="probe">{`${status}|${String(fromCache)}|${String(watermark)}|${String(hits)}`}</span>;
}

const probe = (): string => screen.getByTestId("probe").textContent ?? "";

function deleteIsBlocked(factory: IDBFactory, name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = factory.deleteDatabase(name);
    request.onblocked = () => resolve(true);
    request.onsuccess = () => resolve(false);
  });
}

describe("<SyncProvider persist>", () => {
  it("should draw the cached world on the next mount while the pages are held, and leave no connection open on unmount", async () => {
    const factory = new IDBFactory();
    const first = new MemoryToriiClient();
    first.rows = [rawEntity(1, 100, { "test-Army": army(1) }), rawEntity(2, 100, { "test-Army": army(2) })];
    const one = createTestWorld();
    const mounted = render(
      <SyncProvider client={first} world={one.world} components={one.components} persist={{ name: "react", indexedDB: factory }} options={OPTIONS}>
        <Probe />
      </SyncProvider>,
    );
    await waitFor(() => expect(probe()).toBe("streaming|false|100|0"), { timeout: 5_000 });
    // An equal prop (a new object, same name) does not restart the pipeline.
    mounted.rerender(
      <SyncProvider client={first} world={one.world} components={one.components} persist={{ name: "react", indexedDB: factory }} options={OPTIONS}>
        <Probe />
      </SyncProvider>,
    );
    expect(pipelines).toHaveLength(1);
    mounted.unmount();

    const second = new MemoryToriiClient();
    second.beforePage = () => new Promise(() => undefined);
    const two = createTestWorld();
    const again = render(
      <SyncProvider client={second} world={two.world} components={two.components} persist={{ name: "react", indexedDB: factory }} options={OPTIONS}>
        <Probe />
      </SyncProvider>,
    );
    await waitFor(() => expect(probe()).toBe("replaying|true|undefined|1"), { timeout: 5_000 });
    expect(two.components.Army.values.x.size).toBe(2);
    expect(second.pagesServed).toBe(1);
    again.unmount();
    expect(await deleteIsBlocked(factory, "react")).toBe(false);
  }, 15_000);

  it("should run without a cache when persist is false (the default)", async () => {
    const client = new MemoryToriiClient();
    client.rows = [rawEntity(1, 100, { "test-Army": army(1) })];
    const { world, components } = createTestWorld();
    const mounted = render(
      <SyncProvider client={client} world={world} components={components} options={OPTIONS}>
        <Probe />
      </SyncProvider>,
    );
    await waitFor(() => expect(probe()).toBe("streaming|false|undefined|undefined"), { timeout: 5_000 });
    mounted.unmount();
  });
});
