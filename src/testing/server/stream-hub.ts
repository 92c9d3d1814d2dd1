import type { ServerResponse } from "node:http";
import type { Clause, SubscribeContractsResponse } from "@dojoengine/grpc";
import { Methods } from "../protocol/codecs";
import { encodeDataFrame } from "../protocol/grpc-web";
import { fromBytes, toBytes } from "../protocol/felt";
import { encodeEntity, encodeSubscribeFrame } from "../protocol/stream-messages";
import { matchesClause, modelsSelectedByClause } from "../query/clause";
import type { MatchTarget } from "../query/clause";
import type { EntityKind } from "../store/world-store";
import type { WorldChange, WorldHead } from "../world/changes";
import { createRng } from "../world/rng";
import type { WorldSimulator } from "../world/simulator";
import type { ChaosConfig, StallMode } from "./chaos-config";
import { Subscriber } from "./subscriber";
import type { SubscriberCloseReason, SubscriberInfo } from "./subscriber";
import type { TimerRegistry } from "./timers";

interface ContractStream {
  readonly response: ServerResponse;
  readonly addresses: readonly bigint[];
}

export interface StreamHubOptions {
  readonly world: WorldSimulator;
  readonly timers: TimerRegistry;
  readonly seed: number;
  /** The chaos config in force for one subscriber (global settings merged with its overrides). */
  readonly chaosFor: (subscriptionId: bigint) => ChaosConfig;
}

/** Open streams and the fan-out of world changes and head ticks to them. */
export class StreamHub {
  private readonly subscribers = new Map<bigint, Subscriber>();
  private readonly contracts = new Set<ContractStream>();
  private readonly unsubscribe: () => void;
  private nextId = 1n;
  private globalStall: StallMode | undefined;
  /** How many subscribers were disconnected for holding too many messages. */
  evictions = 0;

  private readonly worldAddress: bigint;

  constructor(private readonly options: StreamHubOptions) {
    this.worldAddress = BigInt(options.world.worldAddress);
    this.unsubscribe = options.world.subscribe({
      onChange: (change) => this.fanOut(change),
      onHead: (head) => this.tick(head),
    });
  }

  openSubscriber(kind: EntityKind, clause: Clause | undefined, worldAddresses: readonly Uint8Array[], response: ServerResponse): Subscriber {
    const id = this.nextId;
    this.nextId += 1n;
    const subscriber = new Subscriber(
      id,
      kind,
      clause,
      worldAddresses.map(fromBytes),
      response,
      createRng(this.options.seed).fork(`subscriber-${id}`),
      () => this.options.chaosFor(id),
      this.options.timers,
      (s, reason) => this.onSubscriberClosed(s, reason),
    );
    this.subscribers.set(id, subscriber);
    if (this.globalStall !== undefined) subscriber.stall(this.globalStall);
    // The client's subscribe promise settles only when this first message (just the id) arrives.
    subscriber.sendNow(encodeSubscribeFrame(undefined, id));
    return subscriber;
  }

  /** Returns false when no live subscriber has that id (a stale id after a reconnect: ignored, like Torii). */
  updateSubscriber(kind: EntityKind, id: bigint, clause: Clause | undefined, worldAddresses: readonly Uint8Array[]): boolean {
    const subscriber = this.subscribers.get(id);
    if (subscriber === undefined || subscriber.kind !== kind) return false;
    subscriber.clause = clause;
    subscriber.worldAddresses = worldAddresses.map(fromBytes);
    return true;
  }

  openContractStream(addresses: readonly Uint8Array[], response: ServerResponse): void {
    const stream: ContractStream = { response, addresses: addresses.map(fromBytes) };
    this.contracts.add(stream);
    response.on("close", () => this.contracts.delete(stream));
    // The client consumes the first message without calling back, so it carries the current head.
    this.writeContract(stream, this.options.world.head());
  }

  stall(mode: StallMode, subscriptionId?: bigint): void {
    if (subscriptionId === undefined) this.globalStall = mode;
    for (const s of this.targets(subscriptionId)) s.stall(mode);
  }

  resume(subscriptionId?: bigint): void {
    if (subscriptionId === undefined) this.globalStall = undefined;
    for (const s of this.targets(subscriptionId)) s.resume();
  }

  /** Destroys the sockets under every open stream; returns how many streams were broken. */
  breakStreams(): number {
    let broken = 0;
    for (const s of [...this.subscribers.values()]) {
      s.close("broken");
      broken += 1;
    }
    for (const stream of [...this.contracts]) {
      stream.response.socket?.destroy();
      this.contracts.delete(stream);
      broken += 1;
    }
    return broken;
  }

  infos(): SubscriberInfo[] {
    return [...this.subscribers.values()].map((s) => s.info());
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  get openStreams(): number {
    return this.subscribers.size + this.contracts.size;
  }

  /** Stops listening to the world and ends every stream. */
  close(): void {
    this.unsubscribe();
    for (const s of [...this.subscribers.values()]) s.close("server");
    for (const stream of this.contracts) if (!stream.response.writableEnded) stream.response.end();
    this.contracts.clear();
  }

  private targets(subscriptionId: bigint | undefined): Subscriber[] {
    if (subscriptionId === undefined) return [...this.subscribers.values()];
    const one = this.subscribers.get(subscriptionId);
    return one === undefined ? [] : [one];
  }

  private onSubscriberClosed(subscriber: Subscriber, reason: SubscriberCloseReason): void {
    this.subscribers.delete(subscriber.subscriptionId);
    if (reason === "evicted") this.evictions += 1;
  }

  /** Encodes the change once per model selection (usually once in all) and queues a frame for each matching subscriber. */
  private fanOut(change: WorldChange): void {
    if (this.subscribers.size === 0) return;
    const world = this.worldAddress;
    let target: MatchTarget | undefined;
    let whole: Uint8Array | undefined;
    let selections: Map<string, Uint8Array> | undefined;
    for (const subscriber of this.subscribers.values()) {
      if (subscriber.kind !== change.kind) continue;
      if (subscriber.worldAddresses.length > 0 && !subscriber.worldAddresses.includes(world)) continue;
      if (subscriber.clause !== undefined) {
        target ??= matchTargetOf(change);
        if (!matchesClause(subscriber.clause, target)) continue;
      }
      const selected = modelsSelectedByClause(subscriber.clause);
      let bytes: Uint8Array;
      if (selected.length === 0) {
        bytes = whole ??= encodeEntity(change.entity);
      } else {
        selections ??= new Map();
        const key = selected.join(",");
        bytes = selections.get(key) ?? encodeEntity({ ...change.entity, models: change.entity.models.filter((m) => selected.includes(m.name)) });
        selections.set(key, bytes);
      }
      subscriber.push(encodeSubscribeFrame(bytes, subscriber.subscriptionId));
    }
  }

  private tick(head: WorldHead): void {
    for (const stream of this.contracts) this.writeContract(stream, head);
  }

  private writeContract(stream: ContractStream, head: WorldHead): void {
    const world = this.worldAddress;
    if (stream.addresses.length > 0 && !stream.addresses.includes(world)) return;
    const message: SubscribeContractsResponse = { contract: worldContract(world, head) };
    stream.response.write(encodeDataFrame(Methods.SubscribeContracts.output.toBinary(message)));
  }
}

/** What a stream clause is matched against: the models the change touches, and (lazily) the entity's full state. */
function matchTargetOf(change: WorldChange): MatchTarget {
  const touched = change.operation === "deleteEntity" ? Object.keys(change.modelsForMatching()) : change.entity.models.map((m) => m.name);
  return { id: BigInt(change.entityId), keys: change.keys, modelTags: touched, values: change.modelsForMatching };
}

/** The world contract as Torii's `contracts` table reports it: the indexer head and its block timestamp. */
export function worldContract(world: bigint, head: WorldHead): NonNullable<SubscribeContractsResponse["contract"]> {
  return {
    contract_address: toBytes(world, 32),
    contract_type: 0,
    head: BigInt(head.block),
    last_block_timestamp: BigInt(head.timestamp),
    updated_at: BigInt(head.timestamp),
    created_at: 0n,
  };
}
