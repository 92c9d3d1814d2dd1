/**
 * The parts of `@dojoengine/torii-client`'s ToriiClient the SDK uses, typed structurally so a test double, the grpc
 * client or an older client fits. Values stay `unknown`: the adapter validates everything it reads.
 */
export interface ToriiSubscriptionLike {
  cancel(): void;
  free?(): void;
}

export interface ToriiPageLike {
  readonly items: readonly unknown[];
  readonly next_cursor?: string | undefined | null;
}

export interface ToriiQuery {
  world_addresses: string[];
  pagination: { limit: number | undefined; cursor: string | undefined; direction: "Forward" | "Backward"; order_by: unknown[] };
  clause: unknown;
  no_hashed_keys: boolean;
  models: string[];
  historical: boolean;
}

export type ToriiCallback = (...args: unknown[]) => void;

export interface ToriiClientLike {
  getEntities(query: ToriiQuery): Promise<ToriiPageLike>;
  onEntityUpdated(clause: unknown, worldAddresses: string[] | undefined, callback: ToriiCallback): Promise<ToriiSubscriptionLike>;
  getEventMessages?(query: ToriiQuery): Promise<ToriiPageLike>;
  onEventMessageUpdated?(clause: unknown, worldAddresses: string[] | undefined, callback: ToriiCallback): Promise<ToriiSubscriptionLike>;
  getContracts?(query: unknown): Promise<unknown>;
  onIndexerUpdated?(contractAddress: string | undefined, callback: ToriiCallback): Promise<ToriiSubscriptionLike>;
}
