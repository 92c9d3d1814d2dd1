import { enumOf, member, modelTag, optionOf, primitive, struct } from "./types";
import type { ModelDef } from "./types";

/** The namespace of the simulated Blitz world (tags read `blitz-Army`, like a Dojo game's `namespace-Model`). */
export const BLITZ_NAMESPACE = "blitz";

const u8 = primitive("u8");
const u32 = primitive("u32");
const u64 = primitive("u64");
const u128 = primitive("u128");
const address = primitive("ContractAddress");

export const Coord = struct("Coord", [member("x", u32), member("y", u32)]);
export const TroopType = enumOf("TroopType", ["Knight", "Paladin", "Crossbowman"]);
export const TroopTier = enumOf("TroopTier", ["T1", "T2", "T3"]);
export const Biome = enumOf("Biome", ["None", "Ocean", "Beach", "Grassland", "Forest", "Desert", "Snow"]);

export const StructureModel: ModelDef = {
  namespace: BLITZ_NAMESPACE,
  name: "Structure",
  members: [
    member("entity_id", u32, true),
    member("owner", address),
    member("category", u8),
    member("level", u8),
    member("coord", Coord),
    member("guards", struct("Guards", [member("count", u128), member("tier", TroopTier)])),
  ],
};

export const ArmyModel: ModelDef = {
  namespace: BLITZ_NAMESPACE,
  name: "Army",
  members: [
    member("explorer_id", u32, true),
    member("owner", address),
    member("coord", Coord),
    member("troops", struct("Troops", [member("category", TroopType), member("tier", TroopTier), member("count", u128)])),
    member("stamina", struct("Stamina", [member("amount", u64), member("updated_tick", u64)])),
  ],
};

export const TileModel: ModelDef = {
  namespace: BLITZ_NAMESPACE,
  name: "Tile",
  members: [
    member("col", u32, true),
    member("row", u32, true),
    member("biome", Biome),
    member("occupier_id", u32),
    member("explored_at", u64),
    member("discovered_by", optionOf(address)),
  ],
};

/** Keyed like Structure, so a structure entity carries two models (a change to one must not hide the other). */
export const ProductionModel: ModelDef = {
  namespace: BLITZ_NAMESPACE,
  name: "Production",
  members: [
    member("entity_id", u32, true),
    member("balance", u128),
    member("production_rate", u64),
    // A component-level version, like Eternum's nested last_updated_at: the block timestamp of the last change.
    member("last_updated_at", u32),
  ],
};

export const ExplorerMoveEventModel: ModelDef = {
  namespace: BLITZ_NAMESPACE,
  name: "ExplorerMoveEvent",
  kind: "event",
  members: [member("explorer_id", u32, true), member("owner", address), member("to", Coord), member("timestamp", u64)],
};

export const BattleEventModel: ModelDef = {
  namespace: BLITZ_NAMESPACE,
  name: "BattleEvent",
  kind: "event",
  members: [
    member("attacker_id", u32, true),
    member("defender_id", u32, true),
    member("winner_id", u32),
    member("troops_lost", u128),
    member("timestamp", u64),
  ],
};

/** Every model of the Blitz world, entity models first. */
export const BLITZ_MODELS: readonly ModelDef[] = [
  StructureModel,
  ArmyModel,
  TileModel,
  ProductionModel,
  ExplorerMoveEventModel,
  BattleEventModel,
];

/** `namespace-Name` tags of every Blitz model, in the order of BLITZ_MODELS. */
export const BLITZ_MODEL_TAGS: readonly string[] = BLITZ_MODELS.map(modelTag);

/** Tags of the entity (non-event) models. */
export const BLITZ_ENTITY_MODEL_TAGS: readonly string[] = BLITZ_MODELS.filter((m) => m.kind !== "event").map(modelTag);

/** Tags of the event-message models. */
export const BLITZ_EVENT_MODEL_TAGS: readonly string[] = BLITZ_MODELS.filter((m) => m.kind === "event").map(modelTag);
