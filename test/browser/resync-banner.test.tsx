import { act, cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { page } from "vitest/browser";
import { ResyncBanner } from "../../src/components/ResyncBanner";
import { createSyncFixture } from "./sync-fixture";

afterEach(() => cleanup());

describe("ResyncBanner in Chromium", () => {
  it("should be an empty polite live region before it speaks, and change only its content when it does", async () => {
    const fixture = createSyncFixture({ status: "streaming" });
    render(fixture.wrap(<ResyncBanner delayMs={150} minVisibleMs={150} />));

    const region = page.getByRole("status");
    await expect.element(region).toBeInTheDocument();
    const node = region.element();
    expect(node).toHaveAttribute("aria-live", "polite");
    expect(node.textContent).toBe("");

    const changes: MutationRecord[] = [];
    const observer = new MutationObserver((records) => changes.push(...records));
    observer.observe(node, { childList: true, subtree: true, characterData: true });

    act(() => fixture.store.setState({ status: "replaying", replayProgress: { pages: 1, entities: 40 } }));
    await expect.element(region).toHaveTextContent("Resyncing with the game server… 40 entities (1 page)");
    act(() => fixture.store.setState({ replayProgress: { pages: 2, entities: 90 } }));
    await expect.element(region).toHaveTextContent("Resyncing with the game server… 90 entities (2 pages)");
    observer.disconnect();

    // The same node all along: assistive tech watching it hears each change.
    expect(region.element()).toBe(node);
    expect(node.isConnected).toBe(true);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((change) => node.contains(change.target))).toBe(true);
  });

  it("should keep a keyboard user's focus in the banner when its focused button leaves, and never take focus from elsewhere", async () => {
    const fixture = createSyncFixture({ status: "streaming" });
    render(
      fixture.wrap(
        <>
          <input aria-label="chat" />
          <ResyncBanner delayMs={0} minVisibleMs={60_000} showResyncButton />
        </>,
      ),
    );
    const region = page.getByRole("status");
    act(() => fixture.store.setState({ status: "lagging" }));
    const button = page.getByRole("button", { name: "Resync now" });
    await expect.element(button).toBeInTheDocument();
    button.element().focus();
    expect(document.activeElement).toBe(button.element());

    // Recovered: the button goes while the banner stays (its minimum time); focus moves to the region, not to <body>.
    act(() => fixture.store.setState({ status: "streaming" }));
    await expect.element(region).toHaveTextContent("Back in sync with the game server.");
    expect(button.query()).toBeNull();
    expect(document.activeElement).toBe(region.element());
    // Focusable from script only: never a stop in the tab order.
    expect(region.element().tabIndex).toBe(-1);

    // Focus elsewhere when the button goes: left where it is.
    act(() => fixture.store.setState({ status: "lagging" }));
    await expect.element(button).toBeInTheDocument();
    const chat = page.getByRole("textbox", { name: "chat" }).element() as HTMLInputElement;
    chat.focus();
    act(() => fixture.store.setState({ status: "streaming" }));
    await expect.element(region).toHaveTextContent("Back in sync with the game server.");
    expect(button.query()).toBeNull();
    expect(document.activeElement).toBe(chat);
  });

  it("should show its button at rest while the replay runs, and ready while lagging", async () => {
    const fixture = createSyncFixture({ status: "streaming" });
    render(fixture.wrap(<ResyncBanner delayMs={0} showResyncButton />));
    act(() => fixture.store.setState({ status: "lagging" }));
    const button = page.getByRole("button", { name: "Resync now" });
    await expect.element(button).toBeInTheDocument();
    expect(getComputedStyle(button.element())).toMatchObject({ opacity: "1", cursor: "pointer" });
    expect(button.element()).not.toHaveAttribute("aria-disabled");
    act(() => fixture.store.setState({ status: "replaying" }));
    await expect.element(button).toHaveAttribute("aria-disabled", "true");
    expect(getComputedStyle(button.element())).toMatchObject({ opacity: "0.6", cursor: "progress" });
  });

  it("should never show a blip shorter than the delay", async () => {
    const fixture = createSyncFixture({ status: "streaming" });
    render(fixture.wrap(<ResyncBanner delayMs={300} />));
    act(() => fixture.store.setState({ status: "lagging" }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    act(() => fixture.store.setState({ status: "streaming" }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(page.getByRole("status").element().textContent).toBe("");
  });
});
