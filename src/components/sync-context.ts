import { createContext, useContext } from "react";
import type { SyncPipeline } from "../core/pipeline";
import type { MapProjection } from "../map/projection";
import type { SqlMapSource } from "../map/sql-source";
import type { SyncStore } from "../store/sync-store";

/** What <SyncProvider> shares: the store (state for rendering) and the pipeline (actions). */
export interface SyncContextValue {
  readonly store: SyncStore;
  readonly pipeline: SyncPipeline | undefined;
  readonly reload: () => void;
  /** The map projection given to the provider, if any. */
  readonly map: MapProjection | undefined;
  /** SQL fields merged into the map, if given. */
  readonly sqlMap?: SqlMapSource | undefined;
}

export const SyncContext = createContext<SyncContextValue | null>(null);

/** The provider's value; throws a message naming the provider when there is none, like zustand's context hooks. */
export function useSyncContext(hookName: string): SyncContextValue {
  const value = useContext(SyncContext);
  if (value === null) throw new Error(`${hookName} must be used inside <SyncProvider>`);
  return value;
}
