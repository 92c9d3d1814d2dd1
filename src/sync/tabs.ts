import type { Timers } from "../core/clock";
import type { SyncPipeline } from "../core/pipeline";
import type { SyncSource } from "../core/ports";
import type { EntityFetcher } from "../core/replay/incremental";
import { createSyncChannel, electLeader, type LeaderElection, type LockManagerLike, type PersistTabsOptions } from "../persist/index";
import { createModalSource, type TabRole } from "./modal-source";
import type { PersistHandle } from "./persist";
import { createRelaySource } from "./relay-source";


export interface SharedTabs {
  /** The source the engine reads: Torii while this tab leads, the leader tab while it follows. */
  readonly source: SyncSource;
  /** Wrap the engine: start once the tab knows its role, replay on every change of role, tear everything down on cancel. */
  attach(engine: SyncPipeline): SyncPipeline;
}

/**
 * One tab syncs for all: the tab holding the Web Lock leads (it subscribes to Torii, writes the cache and relays its
 * admitted changes on a BroadcastChannel); the others follow (they read the cache once the leader flushed it and apply
 * the relayed changes through their own admission). When the leader closes, the next tab leads and replays from Torii.
 * `undefined` (each tab for itself) without Web Locks or BroadcastChannel, or with `tabs: false`.
 */
export function shareAcrossTabs(options: PersistTabsOptions | false | undefined, persist: PersistHandle, torii: SyncSource & Partial<EntityFetcher>, timers: Timers | undefined): SharedTabs | undefined {
  if (options === false) return undefined;
  const locks = options?.locks === undefined ? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks : (options.locks ?? undefined);
  if (locks === undefined) return undefined;
  const channel = createSyncChannel(persist.name, {
    ...(options?.BroadcastChannel === undefined ? {} : { BroadcastChannel: options.BroadcastChannel }),
    ...(options?.tabId === undefined ? {} : { tabId: options.tabId }),
    ...(timers === undefined ? {} : { timers }),
  });
  if (!channel.available) {
    channel.close();
    return undefined;
  }
  const source = createModalSource(torii, createRelaySource(channel, (sink, pacing) => persist.read(sink, pacing), torii.scopes));
  return {
    source,
    attach(engine) {
      let known = false;
      let cancelled = false;
      let alone = false;
      let election: LeaderElection | undefined;
      const become = (role: TabRole): void => {
        if (cancelled || alone) return;
        const changed = !known || source.role !== role;
        source.role = role;
        persist.setWriting(role === "leader", channel);
        persist.tab(role, election?.counters().leaderChanges ?? 0);
        if (!known) {
          known = true;
          void engine.start();
        } else if (changed) void engine.forceReplay();
      };
      // Tabs share through the cache: a follower's snapshot is the leader's cache, and the leader relays what it
      // records there. A tab whose cache failed (no IndexedDB, quota, a corrupt record) can do neither, so it leaves:
      // it gives up the lead (a follower takes it), and syncs from Torii for itself. A leader whose cache failed kept
      // the lead while relaying nothing before: the other tabs stayed empty for good. A tab refused the lock leaves
      // too: it cannot lead safely (a refused steal while the old leader thaws made two), as where there are no locks.
      const leave = (): void => {
        if (cancelled || alone) return;
        alone = true;
        // Its metrics say so: it was shown as the leader or a follower it no longer is.
        persist.tab("alone", election?.counters().leaderChanges ?? 0);
        election?.close();
        persist.setWriting(true);
        channel.close();
        const wasFollowing = source.role === "follower";
        source.role = "leader";
        if (!known) {
          known = true;
          void engine.start();
        } else if (wasFollowing) void engine.forceReplay();
      };
      persist.onFailed(leave);
      return {
        ...engine,
        start() {
          // The election only once the app starts: a pipeline made and never started must not hold the lead.
          if (election === undefined && !cancelled) {
            election = electLeader(`torii-sync-guard:lead:${persist.name}`, {
              onLead: () => become("leader"),
              onFollow: () => become("follower"),
              onDemoted: () => undefined,
              onRefused: leave,
              channel,
              locks,
              ...(timers === undefined ? {} : { timers }),
            });
          }
          return engine.ready;
        },
        cancel() {
          if (cancelled) return;
          cancelled = true;
          election?.close();
          engine.cancel();
          persist.setWriting(false);
          channel.close();
        },
      };
    },
  };
}
