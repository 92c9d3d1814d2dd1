/**
 * torii-sync-guard/testing/browser: the testing kit's browser-safe parts, for a Vite app that shows the simulated world:
 * the Blitz models and their RECS components, the Blitz map layers, model tags and schema helpers. Nothing here (nor
 * anything it imports) touches `node:*`, better-sqlite3, @dojoengine/grpc or `process`; the fake server, the world
 * simulator and the wasm loader stay in "torii-sync-guard/testing" (Node only). `test/integration/fake-torii-browser-entry.test.ts`
 * bundles this file for the browser to keep it that way.
 */
export {
  BLITZ_ENTITY_MODEL_TAGS,
  BLITZ_EVENT_MODEL_TAGS,
  BLITZ_MODEL_TAGS,
  BLITZ_MODELS,
  BLITZ_NAMESPACE,
  ArmyModel,
  BattleEventModel,
  ExplorerMoveEventModel,
  ProductionModel,
  StructureModel,
  TileModel,
} from "./schema/blitz-models";
export { defineBlitzComponents, defineContractComponents, dojoMetadataOf, recsSchemaOf } from "./schema/recs-components";
export type { BlitzComponentName, DojoComponent, DojoComponentMetadata } from "./schema/recs-components";
export { enumOf, member, modelTag, optionOf, primitive, struct } from "./schema/types";
export type { EnumDef, MemberDef, ModelDef, ModelValues, PrimitiveName, StructDef, TypeDef, Value } from "./schema/types";
export { blitzMapLayers, blitzMapProjection } from "./schema/blitz-map";
export type { BlitzArmyFields, BlitzStructureFields, BlitzTileFields } from "./schema/blitz-map";
