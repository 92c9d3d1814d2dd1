/** torii-sync-guard/testing: a fake Torii server, a deterministic Blitz-like world and chaos controls, for Node tests. */
export { startFakeTorii } from "./start-fake-torii";
export type { FakeTorii, FakeToriiOptions, FakeToriiStats } from "./start-fake-torii";
export type { ChaosControls } from "./server/chaos-controls";
export { DEFAULT_CHAOS } from "./server/chaos-config";
export type { ChaosConfig, StallMode } from "./server/chaos-config";
export type { SubscriberInfo } from "./server/subscriber";
export { GrpcStatus } from "./protocol/grpc-web";
export { FakeToriiError } from "./errors";
export type { FakeToriiErrorCode } from "./errors";
export { WorldSimulator, DEFAULT_WORLD_ADDRESS } from "./world/simulator";
export type { EntityTarget, MembersInput, WorldCounts, WorldOptions, WriteReceipt } from "./world/simulator";
export type { KeyInput } from "./world/keys";
export type { WorldChange, WorldHead, WorldListener, ChangeOperation } from "./world/changes";
export type { EntityKind } from "./store/world-store";
export { blitzActivity } from "./world/blitz-activity";
export type { BlitzPopulation, WorldActivity } from "./world/blitz-activity";
export { createRng } from "./world/rng";
export type { Rng } from "./world/rng";
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
export type { ValueInput } from "./values/normalize";
export type { DecodedEntity, DecodedModel, DecodedTy } from "./values/to-decoded";
export { entityIdFromKeys, padHex, minimalHex } from "./protocol/felt";
export { findWireProblems, assertWireEntity } from "./values/wire-guard";
export { connectToriiClient, loadToriiWasm } from "./harness/wasm-client";
export type { ToriiWasmModule, WasmClause, WasmEntity, WasmSubscription, WasmToriiClient } from "./harness/wasm-client";
export { waitFor, WaitTimeoutError } from "./harness/wait-for";
export type { WaitForOptions } from "./harness/wait-for";
export { fetchAllPages } from "./harness/pages";
export type { PageQueryOptions, PageWalk } from "./harness/pages";
export { blitzMapLayers, blitzMapProjection } from "./schema/blitz-map";
export type { BlitzArmyFields, BlitzStructureFields, BlitzTileFields } from "./schema/blitz-map";
