import { SyncError } from "./errors";
import type { LedgerScope, SyncUpdate, UpdateOrigin } from "./types";
import type { NormalizedEntity, SourcePage, SyncSource } from "./source-types";

export interface ReplayHooks {
  readonly source: SyncSource;
  readonly pageLimit: number;
  /** Feed one snapshot update into the main queue. */
  readonly ingestSnapshot: (update: SyncUpdate) => void;
  /** Count rejected inputs. */
  readonly rejectAll: (entity: NormalizedEntity) => void;
  /** Drain the main queue completely. */
  readonly flush: () => Promise<void>;
  readonly isCancelled: () => boolean;
  readonly onProgress: (pages: number, entities: number) => void;
}

export interface SnapshotResult {
  readonly pages: number;
  readonly entities: number;
  /** Every entity id the snapshot held, per scope: what reconciliation keeps. */
  readonly seen: ReadonlyMap<LedgerScope, ReadonlySet<string>>;
}

/**
 * Page the synced scope by cursor until the cursor is empty. A short page is not the end, a repeated cursor is an
 * error (Torii would loop forever). Each page goes through the same queue and ledger as live updates and is drained
 * before the next is fetched, so memory stays bounded by one page.
 */
export async function pageSnapshot(hooks: ReplayHooks, origin: UpdateOrigin): Promise<SnapshotResult> {
  let pages = 0;
  let entities = 0;
  const seen = new Map<LedgerScope, Set<string>>();
  for (const scope of hooks.source.scopes) {
    const ids = new Set<string>();
    seen.set(scope, ids);
    const cursors = new Set<string>();
    let cursor: string | undefined;
    do {
      const page: SourcePage = await hooks.source.fetchPage(scope, cursor, hooks.pageLimit, origin);
      if (hooks.isCancelled()) throw new SyncError("SYNC_CANCELLED", "The pipeline was cancelled during a replay.");
      for (const entity of page.entities) {
        if (entity.kind === "update") {
          ids.add(entity.update.entityId);
          hooks.ingestSnapshot(entity.update);
        }
        hooks.rejectAll(entity);
      }
      pages += 1;
      entities += page.entities.length;
      await hooks.flush();
      hooks.onProgress(pages, entities);
      cursor = page.nextCursor;
      if (cursor !== undefined) {
        if (cursors.has(cursor)) throw new SyncError("SYNC_REPEATED_CURSOR", `Torii returned cursor ${cursor.slice(0, 40)} twice while paging ${scope}; stopping.`);
        cursors.add(cursor);
      }
    } while (cursor !== undefined);
  }
  return { pages, entities, seen };
}
