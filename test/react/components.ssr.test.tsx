// @vitest-environment node
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { HardReloadPrompt } from "../../src/components/HardReloadPrompt";
import { ResyncBanner } from "../../src/components/ResyncBanner";
import { SyncDebugPanel } from "../../src/components/SyncDebugPanel";
import { createSyncFixture, SPENT_BUDGET } from "../browser/sync-fixture";

describe("components on the server", () => {
  it("should have no window or document here, so the test means something", () => {
    expect(typeof window).toBe("undefined");
    expect(typeof document).toBe("undefined");
  });

  it("should render the banner as an empty live region without touching the DOM", () => {
    const { wrap } = createSyncFixture({ status: "lagging" });
    const html = renderToString(wrap(<ResyncBanner />));
    expect(html).toContain('role="status"');
    expect(html).toContain('aria-live="polite"');
    expect(html).toMatch(/<div[^>]*role="status"[^>]*><\/div>/);
  });

  it("should render the prompt and the panel in error without touching the DOM", () => {
    const { wrap } = createSyncFixture(SPENT_BUDGET);
    const html = renderToString(wrap(<><HardReloadPrompt /><SyncDebugPanel /></>));
    expect(html).toContain('role="alertdialog"');
    expect(html).toContain("Try again");
    expect(html).toContain("SYNC_SUBSCRIBE_TIMEOUT");
  });
});
