import { act, cleanup, render } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { page } from "vitest/browser";
import { SyncDebugPanel } from "../../src/components/SyncDebugPanel";
import { SyncProvider, type SyncProviderOptions } from "../../src/components/SyncProvider";
import { syncDebugRegistry, type SyncDebugRegistry } from "../../src/telemetry/inspector";
import { createMetricsSink, type MetricsSinkRecord } from "../../src/telemetry/metrics-sink";
import { waitFor } from "../../src/testing/harness/wait-for";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

afterEach(() => cleanup());

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const registry = (): SyncDebugRegistry | undefined => (window as unknown as { __SYNC_DEBUG__?: SyncDebugRegistry }).__SYNC_DEBUG__;

function game(options: SyncProviderOptions) {
  const client = new MemoryToriiClient();
  client.rows = [rawEntity(0x2a, 100, { "test-Army": army(7) }), rawEntity(0x2b, 100, { "test-Army": army(8) })];
  const { world, components } = createTestWorld();
  const ui = (
    <SyncProvider client={client} world={world} components={components} options={options}>
      <SyncDebugPanel aria-label={`Sync debug ${String(options.inspector)}`} />
    </SyncProvider>
  );
  return { client, ui };
}

describe("window.__SYNC_DEBUG__ in Chromium", () => {
  it("should read an entity's ledger, force a replay through it, and be gone after unmount", async () => {
    const { client, ui } = game({ inspector: "torii-sync:game" });
    render(<StrictMode>{ui}</StrictMode>);
    await waitFor(() => registry()?.["torii-sync:game"]?.state().status === "streaming", { timeoutMs: 5_000 });
    // StrictMode mounted, unmounted and mounted the provider: one live pipeline, one entry, no "#2".
    expect(Object.keys(registry() ?? {})).toEqual(["torii-sync:game"]);
    const entry = registry()?.["torii-sync:game"];

    const ledger = entry?.ledger("0x2a");
    expect(ledger?.entityId).toBe(`0x${"2a".padStart(64, "0")}`);
    expect(ledger?.models).toEqual([expect.objectContaining({ model: "test-Army", at: 100, deleted: false })]);
    expect(ledger?.values["test-Army"]).toMatchObject({ x: 7, troops: 10n });
    expect(entry?.queue()).toMatchObject({ depth: 0, overflows: 0 });
    expect(entry?.events().map((event) => event.type)).toContain("replay_finished");

    const pagesBefore = client.pagesServed;
    await act(async () => {
      await entry?.forceReplay();
    });
    expect(client.pagesServed).toBeGreaterThan(pagesBefore);
    expect(entry?.metrics().replays).toBe(2);
    expect(entry?.events().filter((event) => event.type === "replay_started").at(-1)).toMatchObject({ forced: true });
    // The page's own panel saw the same replay.
    await expect.element(page.getByText("Replays").element().nextElementSibling as HTMLElement).toHaveTextContent("2");

    cleanup();
    expect(registry()).toBeUndefined();
    expect("__SYNC_DEBUG__" in window).toBe(false);
  });

  it("should hold one entry per pipeline, by name", async () => {
    const one = game({ inspector: "torii-sync:game" });
    const two = game({ inspector: "torii-sync:mobile" });
    render(
      <>
        {one.ui}
        {two.ui}
      </>,
    );
    await waitFor(() => Object.keys(registry() ?? {}).length === 2, { timeoutMs: 5_000 });
    expect(Object.keys(registry() ?? {}).sort()).toEqual(["torii-sync:game", "torii-sync:mobile"]);
    await waitFor(() => registry()?.["torii-sync:mobile"]?.state().status === "streaming", { timeoutMs: 5_000 });
    expect(registry()?.["torii-sync:mobile"]?.ledger(`0x${"2b".padStart(64, "0")}`)?.values["test-Army"]).toMatchObject({ x: 8 });
    cleanup();
    expect(syncDebugRegistry()).toBeUndefined();
  });

  it("should attach nothing when the app says inspector: false", async () => {
    const { ui } = game({ inspector: false });
    render(ui);
    await expect.element(page.getByRole("region", { name: "Sync debug false" })).toBeInTheDocument();
    expect(registry()).toBeUndefined();
  });

  it("should route the provider's pipeline through the sinks in its options, and detach them on unmount", async () => {
    const records: MetricsSinkRecord[] = [];
    const { ui } = game({ inspector: "torii-sync:game", sinks: [createMetricsSink((record) => records.push(record), { intervalMs: 0 })] });
    render(ui);
    await waitFor(() => records.some((record) => record.kind === "event" && record.event.type === "replay_finished"), { timeoutMs: 5_000 });
    expect(records.every((record) => record.pipeline === "torii-sync:game")).toBe(true);
    const snapshot = records.filter((record) => record.kind === "snapshot").at(-1);
    expect(snapshot).toMatchObject({ kind: "snapshot", sync: { status: "streaming" }, metrics: { applied: 2 } });
    cleanup();
    expect(records.at(-1)).toMatchObject({ kind: "snapshot", sync: { reason: "cancelled" } });
    const count = records.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(records).toHaveLength(count);
  });
});
