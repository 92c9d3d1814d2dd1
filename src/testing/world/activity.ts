import type { ModelValues } from "../schema/types";
import type { WorldHead } from "./changes";
import type { Rng } from "./rng";
import type { EntityTarget, MembersInput, WriteReceipt } from "./world-types";

/**
 * The world as an activity sees it: the head, a few reads and the write API. `WorldSimulator` implements it; an
 * activity depends on this and never on the simulator class.
 */
export interface ActivityWorld {
  head(): WorldHead;
  setModel(target: EntityTarget, tag: string, members: MembersInput): WriteReceipt;
  emitEvent(target: EntityTarget, tag: string, members: MembersInput): WriteReceipt;
  updateMembers(target: EntityTarget, tag: string, members: MembersInput): WriteReceipt;
  deleteModel(target: EntityTarget, tag: string): WriteReceipt;
  deleteEntity(target: EntityTarget): WriteReceipt;
  /** Live entity ids (padded hex) holding `tag`, in id order. */
  idsWith(tag: string, limit?: number, offset?: number): string[];
  modelValues(target: EntityTarget, tag: string): ModelValues | undefined;
}

/** What a world does at genesis and on every block. */
export interface WorldActivity {
  genesis(world: ActivityWorld, rng: Rng): void;
  block(world: ActivityWorld, rng: Rng): void;
}
