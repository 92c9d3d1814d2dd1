import { FakeToriiError } from "../errors";
import { entityIdFromKeys, padHex } from "../protocol/felt";
import type { ModelDef } from "../schema/types";
import type { EntityKind, EntityRow, WorldStore } from "../store/world-store";
import { keysFromMembers, keysFromText, toKeyFelt } from "./keys";
import type { EntityTarget, MembersInput } from "./world-types";

/** A write's target, resolved: the padded id, its keys, and the stored row when the entity exists. */
export interface ResolvedTarget<Row extends EntityRow | undefined = EntityRow | undefined> {
  readonly id: string;
  readonly keys: readonly bigint[];
  readonly row: Row;
}

/** The padded id of a target given by id (any hex form) or by keys. */
export function idOfTarget(target: EntityTarget): string {
  if (typeof target === "string") return padHex(toKeyFelt(target, "entity id"));
  return entityIdFromKeys(target.keys.map((k) => toKeyFelt(k, "key")));
}

/**
 * Resolves the target of a model write. By keys: the key members given must agree with them. By id: the entity must
 * exist, or the key members must be given and hash to that id.
 */
export function resolveTarget(store: WorldStore, kind: EntityKind, target: EntityTarget, model: ModelDef, tag: string, members: MembersInput): ResolvedTarget {
  const fromMembers = keysFromMembers(model, members, tag);
  if (typeof target !== "string") {
    const keys = target.keys.map((k) => toKeyFelt(k, `${tag} key`));
    if (fromMembers !== undefined && fromMembers.join() !== keys.join()) {
      throw new FakeToriiError("FAKE_TORII_BAD_VALUE", `${tag}: key members disagree with the target keys`);
    }
    const id = entityIdFromKeys(keys);
    return { id, keys, row: store.getEntity(kind, id) };
  }
  const id = padHex(toKeyFelt(target, "entity id"));
  const row = store.getEntity(kind, id);
  if (row !== undefined) return { id, keys: keysFromText(row.keys), row };
  if (fromMembers === undefined || entityIdFromKeys(fromMembers) !== id) {
    throw new FakeToriiError("FAKE_TORII_UNKNOWN_ENTITY", `${id} does not exist: target it by { keys } or pass its key members`);
  }
  return { id, keys: fromMembers, row };
}

/** Resolves the target of a delete: the entity must exist. */
export function resolveExisting(store: WorldStore, target: EntityTarget): ResolvedTarget<EntityRow> {
  const id = idOfTarget(target);
  const row = store.getEntity("entity", id);
  if (row === undefined) throw new FakeToriiError("FAKE_TORII_UNKNOWN_ENTITY", `entity ${id} does not exist`);
  return { id, keys: keysFromText(row.keys), row };
}
