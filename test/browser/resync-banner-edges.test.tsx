import { act, cleanup, render } from "@testing-library/react";
import type { Ref } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import { page } from "vitest/browser";
import { ResyncBanner } from "../../src/components/ResyncBanner";
import { createSyncFixture } from "./sync-fixture";

afterEach(() => cleanup());

/** A React 19 callback ref that returns a cleanup: React calls the cleanup on detach, never the ref with null. */
function cleanupRef() {
  const log: string[] = [];
  const ref = (node: HTMLElement | null) => {
    log.push(node === null ? "null" : "node");
    return () => void log.push("cleanup");
  };
  return { log, ref: ref as unknown as Ref<HTMLDivElement> };
}

describe("ResyncBanner in Chromium: its refs and where focus goes", () => {
  it("should honour a forwarded callback ref's cleanup as a plain <div> does", () => {
    const control = cleanupRef();
    render(<div ref={control.ref} />).unmount();
    expect(control.log).toEqual(["node", "cleanup"]); // React 19's own behaviour

    const fixture = createSyncFixture({ status: "streaming" });
    const banner = cleanupRef();
    render(fixture.wrap(<ResyncBanner ref={banner.ref} />)).unmount();
    expect(banner.log).toEqual(["node", "cleanup"]);
  });

  for (const [label, next, minVisibleMs] of [
    ["error", "error", 60_000],
    ["idle", "idle", 60_000],
    ["recovered with minVisibleMs 0", "streaming", 0],
  ] as const) {
    it(`should not move focus into the hidden, empty region when the banner hides at once (${label})`, async () => {
      const fixture = createSyncFixture({ status: "streaming" });
      render(fixture.wrap(<ResyncBanner delayMs={0} minVisibleMs={minVisibleMs} showResyncButton />));
      act(() => fixture.store.setState({ status: "lagging" }));
      const button = page.getByRole("button", { name: "Resync now" });
      await expect.element(button).toBeInTheDocument();
      button.element().focus();
      act(() => fixture.store.setState({ status: next } as never));
      const region = page.getByRole("status").element();
      expect(region).toHaveAttribute("data-state", "hidden");
      expect(region.getBoundingClientRect().height).toBe(0);
      expect(document.activeElement).not.toBe(region);
    });
  }

  it("should move focus to the region when the banner renders inside a shadow root", async () => {
    const fixture = createSyncFixture({ status: "streaming" });
    const host = document.createElement("div");
    document.body.append(host);
    const shadow = host.attachShadow({ mode: "open" });
    const mount = document.createElement("div");
    shadow.append(mount);
    const root = createRoot(mount);
    try {
      act(() => root.render(fixture.wrap(<ResyncBanner delayMs={0} minVisibleMs={60_000} showResyncButton />)));
      act(() => fixture.store.setState({ status: "lagging" }));
      await expect.poll(() => shadow.querySelector("button")).not.toBeNull();
      shadow.querySelector("button")!.focus();
      act(() => fixture.store.setState({ status: "streaming" }));
      expect(shadow.activeElement).toBe(shadow.querySelector('[role="status"]'));
    } finally {
      act(() => root.unmount());
      host.remove();
    }
  });
});
