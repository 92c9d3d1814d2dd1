import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { page, userEvent } from "vitest/browser";
import { SyncDebugPanel } from "../../src/components/SyncDebugPanel";
import { SyncProvider } from "../../src/components/SyncProvider";
import { MemoryToriiClient } from "../support/memory-client";
import { rawEntity, ty } from "../support/ty";
import { createTestWorld } from "../support/world";

afterEach(() => cleanup());

const army = (x: number) => ({ army_id: ty.u32(1), owner: ty.address(1n), x: ty.u32(x), y: ty.u32(0), troops: ty.u128(10n) });
const ZERO_ENTITY = { hashed_keys: "0x0", models: {}, executed_at: 0, updated_at: 0 };

function renderPanel(): MemoryToriiClient {
  const client = new MemoryToriiClient();
  client.rows = [rawEntity(0x2a, 100, { "test-Army": army(7) })];
  const { world, components } = createTestWorld();
  render(
    <main>
      <h1>Game</h1>
      <SyncProvider client={client} world={world} components={components} options={{ inspector: false }}>
        <h2>Diagnostics</h2>
        <SyncDebugPanel />
      </SyncProvider>
    </main>,
  );
  return client;
}

describe("SyncDebugPanel's entity lookup and recent events in Chromium", () => {
  it("should look an entity up from the keyboard alone: Tab to the labelled field, type, Enter", async () => {
    const client = renderPanel();
    await expect.element(page.getByRole("listitem").filter({ hasText: "replay_finished" })).toBeInTheDocument();
    (page.getByRole("button", { name: "Force replay" }).element() as HTMLElement).focus();
    await userEvent.tab();
    await expect.element(page.getByRole("textbox", { name: "Entity id" })).toHaveFocus();
    await userEvent.keyboard("0x2a{Enter}");

    const ledger = page.getByRole("table", { name: "Ledger" });
    await expect.element(ledger).toBeVisible();
    await expect.element(ledger.getByRole("rowheader", { name: "test-Army" })).toBeInTheDocument();
    await expect.element(ledger.getByRole("cell", { name: "100" }).first()).toBeInTheDocument();
    await expect.element(page.getByRole("heading", { name: `0x${"2a".padStart(64, "0")}` })).toBeInTheDocument();
    await expect.element(page.getByText(/"x": 7/)).toBeInTheDocument();

    // The lookup follows the sync: a newer write shows without looking up again.
    client.emit(rawEntity(0x2a, 200, { "test-Army": army(9) }));
    await expect.element(page.getByText(/"x": 9/)).toBeInTheDocument();
    await expect.element(ledger.getByRole("cell", { name: "200" }).first()).toBeInTheDocument();

    // Tab past the button to the scrollable values and the events list: everything is reachable.
    await userEvent.tab();
    await expect.element(page.getByRole("button", { name: "Look up" })).toHaveFocus();
    await userEvent.tab();
    expect(document.activeElement?.tagName).toBe("PRE");
  });

  it("should list recent events under a heading, newest first, as they happen", async () => {
    const client = renderPanel();
    const heading = page.getByRole("heading", { name: "Recent events", level: 3 });
    await expect.element(heading).toBeInTheDocument();
    const list = page.getByRole("list", { name: "Recent events" });
    await expect.element(list.getByRole("listitem").filter({ hasText: "replay_finished" })).toBeInTheDocument();
    client.emit(ZERO_ENTITY);
    await expect.element(list.getByRole("listitem").first()).toHaveTextContent(/replay_(started|finished)|gap|evidence|state/);
    await expect.element(list.getByRole("listitem").filter({ hasText: /^\d\d:\d\d:\d\d\.\d{3} gap / })).toBeInTheDocument();
    const items = list.getByRole("listitem").elements();
    const times = items.map((item) => item.querySelector("time")?.getAttribute("datetime") ?? "");
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("should say so for an id the ledger lacks and for text that is not an id", async () => {
    renderPanel();
    const input = page.getByRole("textbox", { name: "Entity id" });
    await input.fill("0x99");
    await userEvent.keyboard("{Enter}");
    await expect.element(page.getByText(`Nothing synced for 0x${"99".padStart(64, "0")}.`)).toBeInTheDocument();
    await input.fill("not an id");
    await userEvent.keyboard("{Enter}");
    await expect.element(input).toHaveAttribute("aria-invalid", "true");
    await expect.element(input).toHaveAccessibleDescription("Enter a 0x-prefixed hex id of at most 64 digits.");
  });
});
