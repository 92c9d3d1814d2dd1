import { createWorld, defineComponent, Type as RecsType, type Entity } from "@dojoengine/recs";
import type { ReactNode } from "react";
import { SyncContext } from "../../src/hooks/sync-context";
import { defineMapProjection } from "../../src/map/projection";
import { createIdleStore } from "../../src/store/sync-view";

/** Entity `n` as RECS spells it (0x + 64 hex digits). */
export const entityOf = (n: number): Entity => `0x${n.toString(16).padStart(64, "0")}` as Entity;

/**
 * The map hooks' rig: an Army component (owner, x, y), a started projection with one `armies` layer keyed by position
 * and keeping `owner`, and `wrap` to render under a SyncContext that holds it (no pipeline).
 */
export function mapHooksRig() {
  const world = createWorld();
  const Army = defineComponent(world, { owner: RecsType.BigInt, x: RecsType.Number, y: RecsType.Number }, { metadata: { namespace: "t", name: "Army" } });
  const map = defineMapProjection({
    layers: { armies: { component: Army, position: (v) => ({ x: v.x as number, y: v.y as number }), fields: (v) => ({ owner: v.owner }) } },
  });
  map.start();
  const value = { store: createIdleStore(), pipeline: undefined, reload: () => undefined, map };
  const wrap = (children: ReactNode) => <SyncContext.Provider value={value}>{children}</SyncContext.Provider>;
  return { Army, map, wrap };
}
