import { createWorld, defineComponent, setComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import { cleanup, render } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { page } from "vitest/browser";
import { SyncProvider } from "../../src/components/SyncProvider";
import { useMapData, useMapStatus } from "../../src/hooks/useMapData";
import { defineMapProjection } from "../../src/map/projection";
import type { MapSnapshot } from "../../src/map/map-types";

afterEach(() => cleanup());

const e = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Entity;
const ARMIES = 60_000;

describe("the map's sliced first build in Chromium", () => {
  it("should show a loading state with rising progress while a big map builds, then the whole map at once", async () => {
    const recs = createWorld();
    const Army = defineComponent(recs, { x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "s0_eternum", name: "Army" } });
    for (let i = 0; i < ARMIES; i += 1) setComponent(Army, e(i + 1), { x: i % 300, y: Math.floor(i / 300) });
    // A 1 ms slice: the build of 60,000 entities cannot fit in one, on any machine.
    const map = defineMapProjection({ layers: { armies: { component: Army, position: (v) => ({ x: v.x, y: v.y }), fields: () => ({}) } }, buildSliceMs: 1 });
    const seen: Array<{ building: boolean; progress: number; armies: number }> = [];
    const countArmies = (snapshot: MapSnapshot) => snapshot.counts.armies ?? 0;
    function Status() {
      const status = useMapStatus();
      const armies = useMapData(countArmies);
      seen.push({ ...status, armies });
      return <p aria-label="map status">{status.building ? `building ${Math.round(status.progress * 100)}%` : `ready: ${armies} armies`}</p>;
    }
    render(
      <StrictMode>
        <SyncProvider map={map}>
          <Status />
        </SyncProvider>
      </StrictMode>,
    );
    await expect.element(page.getByLabelText("map status")).toHaveTextContent(`ready: ${ARMIES} armies`);
    const building = seen.filter((view) => view.building);
    expect(building.length).toBeGreaterThan(0);
    // While building, the map is the last complete one (empty before the first build): never a half-built map.
    expect(building.every((view) => view.armies === 0)).toBe(true);
    const progress = building.map((view) => view.progress);
    expect(progress.every((value, index) => value >= 0 && value <= 1 && (index === 0 || value >= (progress[index - 1] as number)))).toBe(true);
    expect(seen.filter((view) => view.armies !== 0 && view.armies !== ARMIES)).toEqual([]);
    expect(map.getStatus()).toEqual({ building: false, progress: 1 });
  });
});
