import type { ComponentValue, Schema } from "@dojoengine/recs";
import { defineMapProjection, type MapLayer, type MapPosition, type MapProjection } from "../../map/projection";
import type { BlitzComponentName, DojoComponent } from "./recs-components";

type Value = ComponentValue<Schema, unknown>;
const coordOf = (value: Value): MapPosition => value.coord as unknown as MapPosition;

export interface BlitzStructureFields {
  readonly owner: bigint;
  readonly category: number;
  readonly level: number;
  readonly guards: bigint;
  readonly guardTier: string;
}

export interface BlitzArmyFields {
  readonly owner: bigint;
  readonly troopType: string;
  readonly troops: bigint;
  readonly stamina: bigint;
}

export interface BlitzTileFields {
  readonly biome: string;
  readonly occupier: number;
}

/** The map layers of the testing kit's Blitz-like world: structures and armies by coord, explored tiles by (col, row). */
export function blitzMapLayers(components: Readonly<Record<BlitzComponentName, DojoComponent>>): Record<"structures" | "armies" | "tiles", MapLayer<Schema, unknown>> {
  return {
    structures: {
      component: components.Structure,
      position: coordOf,
      fields: (v): BlitzStructureFields => {
        const guards = v.guards as unknown as { count: bigint; tier: string };
        return { owner: v.owner as bigint, category: v.category as number, level: v.level as number, guards: guards.count, guardTier: guards.tier };
      },
    },
    armies: {
      component: components.Army,
      position: coordOf,
      fields: (v): BlitzArmyFields => {
        const troops = v.troops as unknown as { category: string; count: bigint };
        const stamina = v.stamina as unknown as { amount: bigint };
        return { owner: v.owner as bigint, troopType: troops.category, troops: troops.count, stamina: stamina.amount };
      },
    },
    tiles: {
      component: components.Tile,
      position: (v) => ({ x: v.col as number, y: v.row as number }),
      fields: (v): BlitzTileFields => ({ biome: v.biome as string, occupier: v.occupier_id as number }),
    },
  };
}

/** A ready projection of the Blitz world, for the demo and tests. */
export function blitzMapProjection(components: Readonly<Record<BlitzComponentName, DojoComponent>>): MapProjection {
  return defineMapProjection({ layers: blitzMapLayers(components) });
}
