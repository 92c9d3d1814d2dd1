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
