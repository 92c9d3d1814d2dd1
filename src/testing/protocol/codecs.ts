import { WorldService } from "@dojoengine/grpc";
import type {
  Entity,
  RetrieveContractsRequest,
  RetrieveContractsResponse,
  RetrieveEntitiesRequest,
  RetrieveEntitiesResponse,
  SubscribeContractsRequest,
  SubscribeContractsResponse,
  SubscribeEntitiesRequest,
  SubscribeEntityResponse,
  UpdateEntitiesSubscriptionRequest,
} from "@dojoengine/grpc";

/** The subset of protobuf-ts's MessageType the fake needs, typed per message. */
export interface MessageCodec<T> {
  fromBinary(bytes: Uint8Array): T;
  toBinary(message: T): Uint8Array;
  create(value?: Partial<T>): T;
}

/** SQL messages are not exported by name from @dojoengine/grpc, so their shapes are declared here. */
export interface SqlValueMessage {
  value_type:
    | { oneofKind: "text"; text: string }
    | { oneofKind: "integer"; integer: bigint }
    | { oneofKind: "real"; real: number }
    | { oneofKind: "blob"; blob: Uint8Array }
    | { oneofKind: "null"; null: boolean }
    | { oneofKind: undefined };
}
export interface SqlQueryRequestMessage {
  query: string;
}
export interface SqlQueryResponseMessage {
  rows: { fields: Record<string, SqlValueMessage> }[];
}
export type EmptyMessage = Record<string, never>;

export interface MethodCodec<I, O> {
  readonly name: string;
  readonly serverStreaming: boolean;
  readonly input: MessageCodec<I>;
  readonly output: MessageCodec<O>;
}

function method<I, O>(name: string): MethodCodec<I, O> {
  const found = WorldService.methods.find((m) => m.name === name);
  if (found === undefined) throw new Error(`@dojoengine/grpc has no world.World/${name}: the installed version does not match`);
  // The descriptors are typed `any` by protobuf-ts; the generics above pin the shapes we rely on.
  return {
    name,
    serverStreaming: found.serverStreaming === true,
    input: found.I as MessageCodec<I>,
    output: found.O as MessageCodec<O>,
  };
}

/** Every world.World method the fake answers, with its request and response codecs. */
export const Methods = {
  RetrieveEntities: method<RetrieveEntitiesRequest, RetrieveEntitiesResponse>("RetrieveEntities"),
  RetrieveEventMessages: method<RetrieveEntitiesRequest, RetrieveEntitiesResponse>("RetrieveEventMessages"),
  SubscribeEntities: method<SubscribeEntitiesRequest, SubscribeEntityResponse>("SubscribeEntities"),
  SubscribeEventMessages: method<SubscribeEntitiesRequest, SubscribeEntityResponse>("SubscribeEventMessages"),
  UpdateEntitiesSubscription: method<UpdateEntitiesSubscriptionRequest, EmptyMessage>("UpdateEntitiesSubscription"),
  UpdateEventMessagesSubscription: method<UpdateEntitiesSubscriptionRequest, EmptyMessage>("UpdateEventMessagesSubscription"),
  SubscribeContracts: method<SubscribeContractsRequest, SubscribeContractsResponse>("SubscribeContracts"),
  RetrieveContracts: method<RetrieveContractsRequest, RetrieveContractsResponse>("RetrieveContracts"),
  ExecuteSql: method<SqlQueryRequestMessage, SqlQueryResponseMessage>("ExecuteSql"),
} as const;

export type MethodName = keyof typeof Methods;

interface FieldInfoLike {
  readonly name: string;
  readonly T?: unknown;
}

/**
 * The `types.Entity` codec. The package's .d.ts declares `Entity` as an export, but the 1.8.7 runtime does not export
 * it, so it is taken from the RetrieveEntitiesResponse descriptor's `entities` field.
 */
export const EntityCodec: MessageCodec<Entity> = (() => {
  const fields = (Methods.RetrieveEntities.output as unknown as { fields: readonly FieldInfoLike[] }).fields;
  const field = fields.find((f) => f.name === "entities");
  if (field === undefined || typeof field.T !== "function") throw new Error("@dojoengine/grpc: cannot find the types.Entity descriptor");
  return (field.T as () => MessageCodec<Entity>)();
})();

export function isKnownMethod(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(Methods, name);
}

export type { Entity as ProtoEntity };
