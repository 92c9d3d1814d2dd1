import type { DropRecorder } from "./drops";
import type { EntityId } from "./entity-id";
import type { SyncError } from "./errors";
import type { PendingPage } from "./pending-columns";
import type { Version } from "./version";
import type { ComponentBinding } from "./writer/bindings";
import type { RecsWriter } from "./writer/recs-writer";

/**
 * Whether a member's value cannot be converted (and if so, it has reported why). Asked only where two updates of one
 * entity-model with the same block time meet in a pending row (see `settleTie`).
 */
export type Unconvertible = (binding: ComponentBinding, entityId: EntityId, column: number, value: unknown) => boolean;

/** Whether the row already holds a member of an earlier update at this version and block time. */
export function holdsTie(page: PendingPage, base: number, width: number, version: Version, at: Version): boolean {
  const { versions, ats } = page;
  for (let column = 0; column < width; column += 1) if (ats[base + column] === at && versions[base + column] === version) return true;
  return false;
}

/**
 * Two updates of one block time coalesced into one row cannot be told apart when the row is drained (Torii's times are
 * whole seconds; the drain keeps out whole the update that carried a bad member, by its time), so a valid update would
 * be kept out with a bad one of the same second. They are told apart here, on the rare tie, before they merge: an
 * earlier update with a bad member leaves the row (its members at that time are cleared), and a bad incoming update is
 * refused whole. Returns whether the incoming update may merge. Earlier updates of the row were settled the same way
 * when they met, so what is tied in the row is one update's members, or several valid ones.
 */
export function settleTie(page: PendingPage, base: number, binding: ComponentBinding, entityId: EntityId, members: Readonly<Record<string, unknown>>, version: Version, at: Version, unconvertible: Unconvertible, drops: DropRecorder): boolean {
  const { versions, ats, values } = page;
  const width = binding.fields.length;
  let earlierBad = false;
  for (let column = 0; column < width; column += 1) {
    if (ats[base + column] === at && versions[base + column] === version && unconvertible(binding, entityId, column, values[base + column])) earlierBad = true;
  }
  if (earlierBad) {
    drops.drop("unconvertible");
    for (let column = 0; column < width; column += 1) {
      if (ats[base + column] !== at || versions[base + column] !== version) continue;
      versions[base + column] = Number.NaN;
      values[base + column] = undefined;
    }
  }
  let incomingBad = false;
  for (let column = 0; column < width; column += 1) {
    const name = binding.fields[column] as string;
    if (!Object.hasOwn(members, name)) continue;
    const value = members[name];
    if (value !== undefined && unconvertible(binding, entityId, column, value)) incomingBad = true;
  }
  if (incomingBad) drops.drop("unconvertible");
  return !incomingBad;
}

/** The pipeline's `Unconvertible`: the writer's trial conversion; a bad value is reported (counted per code, logged once). */
export function unconvertibleBy(writer: Pick<RecsWriter, "tryConvert">, report: (error: SyncError) => void): Unconvertible {
  return (binding, entityId, column, value) => {
    const error = writer.tryConvert(binding, entityId, column, value);
    if (error === undefined) return false;
    report(error);
    return true;
  };
}
