import type { IntakeSink } from "../../src/core/ports";

/** A sink that takes everything and keeps nothing: for tests of a source's transport, not of what it decodes. */
export const nullSink: IntakeSink = {
  write: () => undefined,
  deleteModel: () => undefined,
  deleteEntity: () => undefined,
  gap: () => undefined,
  reject: () => undefined,
  entityEnd: () => undefined,
  closedStream: () => undefined,
};
