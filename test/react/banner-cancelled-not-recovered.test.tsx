import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ResyncBanner } from "../../src/components/ResyncBanner";
import { createSyncFixture } from "../browser/sync-fixture";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("<ResyncBanner> when the pipeline stops while the banner is up", () => {
  it("should not announce 'Back in sync' when the status falls to idle (cancelled), which is not a recovery", () => {
    const { store, wrap } = createSyncFixture({ status: "lagging", connection: "open" });
    render(wrap(<ResyncBanner />));
    act(() => {
      vi.advanceTimersByTime(2_500);
    });
    const region = screen.getByRole("status");
    expect(region).toHaveTextContent("Connection to the game server is lagging");
    // What pipeline.cancel() publishes (the app logs out, the provider loses its components, an app-owned pipeline is stopped).
    act(() => store.setState({ status: "idle", connection: "closed", reason: "cancelled" }));
    expect(region).not.toHaveTextContent("Back in sync with the game server.");
  });
});
