import type { ValueInput } from "../values/normalize";
import type { KeyInput } from "./keys";

/** Which entity a write targets: its id (hashed keys, any hex form) or its keys. */
export type EntityTarget = string | { readonly keys: readonly KeyInput[] };
export type MembersInput = Readonly<Record<string, ValueInput>>;

/** What one write produced: the version Torii's SQL would hold for it. */
export interface WriteReceipt {
  readonly entityId: string;
  readonly eventId: string;
  readonly block: number;
  readonly executedAt: number;
  readonly updatedAt: number;
}

export interface WorldCounts {
  readonly entities: number;
  readonly eventMessages: number;
  /** Live rows per model tag. */
  readonly models: Readonly<Record<string, number>>;
}
