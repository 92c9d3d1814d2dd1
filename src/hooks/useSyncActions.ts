import { useMemo } from "react";
import { useSyncContext } from "./sync-context";
import type { SyncPipeline } from "../core/pipeline";

export interface SyncActions {
  /** Replay now; the way out of `error`. Resolves when the replay ends (whatever its outcome: read the state). */
  forceReplay(): Promise<void>;
  /**
   * Announce a hard reload (sinks ship it as `sync_hard_reload_requested`), then reload the page: with `reload` when
   * given (a component's own `onReload`), else what `<SyncProvider onReload>` says, else `location.reload()`.
   */
  hardReload(reload?: () => void): void;
}

export function useSyncActions(): SyncActions {
  const { pipeline, reload } = useSyncContext("useSyncActions");
  return useMemo(
    () => ({
      forceReplay: () => pipeline?.forceReplay() ?? Promise.resolve(),
      hardReload(own?: () => void) {
        // Announced first (sinks ship it as `sync_hard_reload_requested`), then the page goes.
        pipeline?.reportHardReload();
        (own ?? reload)();
      },
    }),
    [pipeline, reload],
  );
}

/** The running pipeline (undefined until the provider's effect has started it). */
export function useSyncPipeline(): SyncPipeline | undefined {
  return useSyncContext("useSyncPipeline").pipeline;
}
