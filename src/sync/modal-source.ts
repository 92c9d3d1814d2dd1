import type { EntityFetcher } from "../core/replay/incremental";
import type { SyncSource } from "../core/ports";

export type TabRole = "leader" | "follower";

/** A source that is Torii while this tab leads and the leader tab while it follows; `role` switches it. */
export interface ModalSource extends SyncSource, Partial<EntityFetcher> {
  role: TabRole;
}

/**
 * One source object for the engine's whole life, its requests going to whichever source the tab's role says. The
 * engine reads the optional parts (SQL watermark, recent writes, head, reads by id) at each use, so a follower never
 * asks Torii anything; a role change is followed by a replay (it resubscribes through the new one).
 */
export function createModalSource(torii: SyncSource & Partial<EntityFetcher>, relay: SyncSource): ModalSource {
  const current = (): SyncSource => (modal.role === "leader" ? torii : relay);
  const leading = <T>(value: T): T | undefined => (modal.role === "leader" ? value : undefined);
  // Getters that answer `undefined` while following: the engine checks each optional part where it uses it.
  const modal = {
    role: "follower" as TabRole,
    scopes: torii.scopes,
    ...(torii.restrictsModels === undefined ? {} : { restrictsModels: torii.restrictsModels }),
    get watermark() {
      return leading(torii.watermark);
    },
    get recentWrites() {
      return leading(torii.recentWrites);
    },
    get head() {
      return leading(torii.head);
    },
    get fetchEntities() {
      const fetch = torii.fetchEntities;
      return fetch === undefined ? undefined : leading(fetch.bind(torii));
    },
    fetchPage: ((scope, cursor, limit, sink, room) => current().fetchPage(scope, cursor, limit, sink, room)) satisfies SyncSource["fetchPage"],
    subscribe: ((scope, sink) => current().subscribe(scope, sink)) satisfies SyncSource["subscribe"],
    openStreams: () => torii.openStreams() + relay.openStreams(),
    cancelPending() {
      torii.cancelPending();
      relay.cancelPending();
    },
  } as unknown as ModalSource;
  return modal;
}
