import { cleanup, render } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { page, userEvent } from "vitest/browser";
import { HardReloadPrompt } from "../../src/components/HardReloadPrompt";
import { createSyncFixture, SPENT_BUDGET } from "./sync-fixture";

afterEach(() => cleanup());

function renderPage(): ReturnType<typeof createSyncFixture> {
  const fixture = createSyncFixture(SPENT_BUDGET);
  render(
    fixture.wrap(
      <main>
        <button type="button">Open inventory</button>
        <HardReloadPrompt />
        <a href="#settings">Settings</a>
      </main>,
    ),
  );
  return fixture;
}

const active = (): string => document.activeElement?.textContent ?? "";

describe("HardReloadPrompt in Chromium", () => {
  it("should move focus to 'Try again', the least destructive action", async () => {
    renderPage();
    await expect.element(page.getByRole("alertdialog", { name: "The game lost sync with the server" })).toBeVisible();
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
  });

  it("should focus 'Try again' and trap Tab under StrictMode's double effects too", async () => {
    const fixture = createSyncFixture(SPENT_BUDGET);
    render(<StrictMode>{fixture.wrap(<HardReloadPrompt />)}</StrictMode>);
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
    await userEvent.tab({ shift: true });
    await expect.element(page.getByRole("button", { name: "Reload page" })).toHaveFocus();
    await userEvent.tab();
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
  });

  it("should keep Tab and Shift+Tab cycling inside the dialog", async () => {
    renderPage();
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
    const seen: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      await userEvent.tab();
      seen.push(active());
    }
    for (let i = 0; i < 4; i += 1) {
      await userEvent.tab({ shift: true });
      seen.push(active());
    }
    expect(seen).toEqual([
      "Reload page", "Try again", "Reload page", "Try again",
      "Reload page", "Try again", "Reload page", "Try again",
    ]);
  });

  it("should stay open with focus inside after Escape and a click on the backdrop", async () => {
    const { forceReplay, reload } = renderPage();
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    await page.elementLocator(document.querySelector("[data-tsg-prompt-overlay]") as HTMLElement).click({ position: { x: 4, y: 4 } });
    await expect.element(page.getByRole("alertdialog")).toBeVisible();
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
    expect(forceReplay).not.toHaveBeenCalled();
    expect(reload).not.toHaveBeenCalled();
  });

  it("should bring focus back when a script moves it outside", async () => {
    renderPage();
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
    (document.querySelector("a[href='#settings']") as HTMLAnchorElement).focus();
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
  });

  it("should give focus back to where it was when the sync recovers", async () => {
    const fixture = createSyncFixture({ status: "streaming" });
    render(fixture.wrap(<><button type="button">Open inventory</button><HardReloadPrompt /></>));
    (page.getByRole("button", { name: "Open inventory" }).element() as HTMLElement).focus();
    fixture.store.setState(SPENT_BUDGET);
    await expect.element(page.getByRole("button", { name: "Try again" })).toHaveFocus();
    fixture.store.setState({ status: "streaming", canHardReload: false, lastError: undefined });
    await expect.element(page.getByRole("alertdialog")).not.toBeInTheDocument();
    await expect.element(page.getByRole("button", { name: "Open inventory" })).toHaveFocus();
  });
});
