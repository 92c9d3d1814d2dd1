import { act, cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { HardReloadPrompt } from "../../src/components/HardReloadPrompt";
import { createSyncFixture, SPENT_BUDGET } from "./sync-fixture";

afterEach(() => cleanup());

/** Whether the element a keyboard user is on is the one they can see (not under another modal's backdrop). */
function focusedIsOnTop(): boolean {
  const focused = document.activeElement as HTMLElement | null;
  if (focused === null || focused === document.body) return false;
  const box = focused.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return hit !== null && (hit === focused || focused.contains(hit));
}

describe("two <HardReloadPrompt>s under one provider (a global one and a screen's own)", () => {
  it("should keep focus on a control the player can see, without the two focus traps fighting over it", async () => {
    const fixture = createSyncFixture({ status: "streaming" });
    render(
      fixture.wrap(
        <main>
          <button type="button">Open inventory</button>
          <HardReloadPrompt />
          <HardReloadPrompt />
        </main>,
      ),
    );
    act(() => fixture.store.setState(SPENT_BUDGET));
    expect(focusedIsOnTop()).toBe(true);
    let focusChanges = 0;
    const count = (): void => {
      focusChanges += 1;
    };
    document.addEventListener("focusin", count);
    await userEvent.tab();
    document.removeEventListener("focusin", count);
    // One Tab is one focus move (two traps each pulling focus back bounced it dozens of times).
    expect(focusChanges).toBeLessThanOrEqual(2);
    expect(focusedIsOnTop()).toBe(true);
  });
});
