import { SyncError } from "./errors";
import type { VersionedChange } from "./queue";
import type { ModelTag, SyncUpdate } from "./types";
import type { VersionPolicy } from "./version";

/**
 * Version every change of an update. Models the client has no component for are rejected with SYNC_UNKNOWN_MODEL
 * (counted, logged once by the caller); the other models of the update still go on.
 */
export function toVersionedChanges(
  update: SyncUpdate,
  policy: VersionPolicy,
  isKnown: (model: ModelTag) => boolean,
  onRejected: (error: SyncError) => void,
): VersionedChange[] {
  const changes: VersionedChange[] = [];
  if (update.entityDeleted) changes.push({ kind: "deleteEntity", version: policy.entityVersionOf(update) });
  for (const [model, change] of update.models) {
    if (!isKnown(model)) {
      onRejected(
        new SyncError("SYNC_UNKNOWN_MODEL", `Torii sent model "${model}" but no component is bound to it; pass its component to sync it.`, {
          entityId: update.entityId,
          model,
        }),
      );
      continue;
    }
    const version = policy.versionOf(update, model);
    changes.push(change.kind === "delete" ? { kind: "deleteModel", model, version } : { kind: "write", model, version, members: change.members });
  }
  return changes;
}
