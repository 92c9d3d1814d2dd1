import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { HardReloadPrompt } from "../../src/components/HardReloadPrompt";
import { useSyncPipeline } from "../../src/hooks/useSyncActions";
import type { SyncPipeline } from "../../src/sync/create-sync-pipeline";
import { recentSyncEvents } from "../../src/sync/index";
import { createSyncFixture, SPENT_BUDGET } from "../browser/sync-fixture";

describe("<HardReloadPrompt> 'Reload page'", () => {
  it("should reload (and announce hard_reload_requested) once, however often it is pressed", () => {
    const { wrap } = createSyncFixture(SPENT_BUDGET);
    const onReload = vi.fn();
    let pipeline: SyncPipeline | undefined;
    function Grab() {
      pipeline = useSyncPipeline();
      return null;
    }
    render(
      wrap(
        <>
          <Grab />
          <HardReloadPrompt onReload={onReload} />
        </>,
      ),
    );
    const reload = screen.getByRole("button", { name: "Reload page" });
    // A double click (or an impatient second press while the page is unloading / the app's onReload is saving).
    fireEvent.click(reload);
    fireEvent.click(reload);
    expect(onReload).toHaveBeenCalledTimes(1);
    const announced = recentSyncEvents(pipeline as SyncPipeline).filter((event) => event.type === "hard_reload_requested");
    expect(announced).toHaveLength(1);
  });
});
