import { createContext, useContext } from "react";
import type { SyncPipeline } from "../core/pipeline";
import type { MapProjection } from "../map/map-types";
import type { SqlMapSource } from "../map/sql-types";
import type { PipelineStore } from "../core/publisher";

/** What <SyncProvider> shares: the pipeline's store (state for rendering) and the pipeline (actions). */
export interface SyncContextValue {
  /** The pipeline's own store, or an idle one before the pipeline exists. */
  readonly store: PipelineStore;
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
