import { afterAll, describe, expect, it, vi } from "vitest";
import { closeBrowser, flip, openDemo, screenshot, view, waitForInSync, waitForView } from "./support/demo-page";

describe("the demo (npm start): boot", () => {
  afterAll(closeBrowser);

  it("should stream with the map drawn and the SDK's world equal to the server's", async () => {
    const { page, demo, close } = await openDemo();
    try {
      const shown = await waitForInSync(page, 30_000, 4);
      expect(shown.oursTiles).toBeGreaterThan(100);
      expect(shown.oursArmies).toBeGreaterThan(10);
      expect(shown.naiveTiles).toBeGreaterThan(100);
      await screenshot(page, "boot");

      // A quiet world is not a fault: silence starts a probe (the SQL watermark), which finds the server not ahead,
      // and nothing replays. Probes are counted on the server: the page's debug panel refreshes its metrics only on
      // drains and state changes, so in a quiet world its "Probes" row does not move.
      await flip(page, "pause");
      const quiet = await waitForView(page, "v.active.includes('pause')");
      const sqlBefore = demo.fake.stats().requests["/sql"] ?? 0;
      await vi.waitFor(() => expect(demo.fake.stats().requests["/sql"] ?? 0).toBeGreaterThanOrEqual(sqlBefore + 2), { timeout: 20_000, interval: 100 });
      const after = await view(page);
      expect(after.status).toBe("streaming");
      expect(after.replays).toBe(quiet.replays);
      expect(after.ours).toBe(0);
    } finally {
      await close();
    }
  });

  it("should run on Vite's dev server too (wasm excluded from the dependency optimizer)", async () => {
    const { page, close } = await openDemo({ mode: "dev" });
    try {
      const shown = await waitForInSync(page, 30_000, 2);
      expect(shown.oursTiles).toBeGreaterThan(100);
    } finally {
      await close();
    }
  });
});
