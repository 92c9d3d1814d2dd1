import { setComponent } from "@dojoengine/recs";
import { act, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useMapData } from "../../src/hooks/useMapData";
import type { MapSnapshot } from "../../src/map/projection";
import { entityOf, mapHooksRig } from "../support/map-hooks-rig";

const e = entityOf;
const setup = mapHooksRig;

// Bug: useMapData keeps the last selected value when `shallowEqual(last, next)`; shallowEqual compares own enumerable
// keys, and a Map, a Set, a Date or an iterator has none, so any two of them are "equal": a selector returning one is
// stuck on its first value for ever (src/core/util/shallow-equal.ts, used at src/hooks/useMapData.ts:56).
describe("useMapData selectors returning non-plain objects", () => {
  it("should re-render with the new value when a selector returns a Set and the set changed", async () => {
    const { Army, wrap } = setup();
    const ownersOf = (map: MapSnapshot) => new Set([...map.items("armies")].map((item) => (item.fields as { owner: bigint }).owner));
    function Owners() {
      const owners = useMapData(ownersOf);
      return <span data-testid="owners">{owners.size}</span>;
    }
    render(wrap(<Owners />));
    expect(screen.getByTestId("owners").textContent).toBe("0");
    await act(async () => {
      setComponent(Army, e(1), { owner: 1n, x: 0, y: 0 });
      setComponent(Army, e(2), { owner: 2n, x: 1, y: 0 });
      await Promise.resolve();
    });
    expect(screen.getByTestId("owners").textContent).toBe("2");
  });

  it("should re-render with the new value when a selector returns a Map keyed by entity", async () => {
    const { Army, wrap } = setup();
    const byEntity = (map: MapSnapshot) => new Map([...map.items("armies")].map((item) => [item.entity, item]));
    function Armies() {
      const armies = useMapData(byEntity);
      return <span data-testid="armies">{armies.size}</span>;
    }
    render(wrap(<Armies />));
    await act(async () => {
      setComponent(Army, e(1), { owner: 1n, x: 0, y: 0 });
      await Promise.resolve();
    });
    expect(screen.getByTestId("armies").textContent).toBe("1");
  });
});
