import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SyncDebugPanel } from "../../src/components/SyncDebugPanel";
import { createSyncFixture } from "../browser/sync-fixture";

describe("<SyncDebugPanel> 'Force replay'", () => {
  it("should not ask for a second replay while the one it started still runs", () => {
    const { wrap, forceReplay } = createSyncFixture({ status: "streaming" });
    // The forced replay is still running (a full replay of a big world takes seconds).
    forceReplay.mockImplementation(() => new Promise<void>(() => undefined));
    render(wrap(<SyncDebugPanel />));
    const button = screen.getByRole("button", { name: "Force replay" });
    fireEvent.click(button);
    expect(button).toHaveAttribute("aria-busy", "true");
    // The pipeline's scheduler queues a forced request made during a replay as a second full replay.
    fireEvent.click(button);
    expect(forceReplay).toHaveBeenCalledTimes(1);
  });
});
