import type { ModelTag, SyncUpdate, ToriiValue } from "./types";

/**
 * A version is one float64: `major * 2^21 + minor`. Major is a block number or a timestamp in seconds, minor an event
 * index. Timestamps up to year 2100 (4.1e9 · 2^21 ≈ 8.6e15) stay under 2^53, so the packing is exact, and a ledger
 * entry costs one number instead of an object.
 */
export type Version = number;

const MINOR_SPAN = 2 ** 21;
/** The largest major (block or second) a version can hold exactly. */
export const MAX_VERSION_MAJOR = Math.floor(Number.MAX_SAFE_INTEGER / MINOR_SPAN);
/** The largest minor (event index) a version can hold. */
export const MAX_VERSION_MINOR = MINOR_SPAN - 1;
/** Older than every real version: what an untracked model has. */
export const NO_VERSION: Version = -1;

export function packVersion(major: number, minor = 0): Version {
  return major * MINOR_SPAN + minor;
}

export function versionMajor(version: Version): number {
  return Math.floor(version / MINOR_SPAN);
}

export function versionMinor(version: Version): number {
  return version % MINOR_SPAN;
}

/** Negative when `a` is older, zero on a tie (applied in arrival order), positive when `a` is newer. */
export function compareVersions(a: Version, b: Version): number {
  return a - b;
}

export interface VersionPolicyOptions {
  /**
   * Per model, the dotted path of a member that holds the component's own version (its `last_updated_at`), e.g.
   * `{ "s1_eternum-Production": "last_updated_at", "s1_eternum-Resource": "production.last_updated_at" }`.
   * Used when an update carries no explicit `(block, eventIndex)`. The value must grow on every write of that model.
   * @default {}
   */
  readonly versionPaths?: Readonly<Record<ModelTag, string>>;
}

/**
 * Decides the version of one model change, in order of preference: explicit `(block, eventIndex)`; the component's
 * own `last_updated_at` read through its configured path; the entity's `executed_at`.
 */
export interface VersionPolicy {
  versionOf(update: SyncUpdate, model: ModelTag): Version;
  /** The version of a whole-entity delete, which has no model to read a path from. */
  entityVersionOf(update: SyncUpdate): Version;
  /**
   * The component's own version (in seconds or ticks), read through the model's configured path from its members, or
   * `undefined` when the model has no path or the members do not carry it (a partial update).
   */
  ownVersionOf(model: ModelTag, member: (name: string) => ToriiValue | undefined): number | undefined;
  /** Whether the model has a configured version path (so the hot path can skip building a reader for the others). */
  hasOwnVersion(model: ModelTag): boolean;
}

export function createVersionPolicy(options: VersionPolicyOptions = {}): VersionPolicy {
  const paths = new Map<ModelTag, readonly string[]>();
  for (const [model, path] of Object.entries(options.versionPaths ?? {})) paths.set(model, path.split("."));

  const entityVersionOf = (update: SyncUpdate): Version => {
    const { block, eventIndex, executedAt } = update.meta;
    if (block !== undefined) return packVersion(block, eventIndex ?? 0);
    return packVersion(executedAt, 0);
  };

  const ownVersionOf = (model: ModelTag, member: (name: string) => ToriiValue | undefined): number | undefined => {
    const path = paths.get(model);
    return path === undefined ? undefined : readVersionPath(member, path);
  };

  return {
    entityVersionOf,
    ownVersionOf,
    hasOwnVersion: (model) => paths.has(model),
    versionOf(update, model) {
      if (update.meta.block !== undefined) return entityVersionOf(update);
      const change = update.models.get(model);
      const own = change?.kind === "write" ? ownVersionOf(model, (name) => change.members.get(name)) : undefined;
      return own === undefined ? entityVersionOf(update) : packVersion(own, 0);
    },
  };
}

function readVersionPath(member: (name: string) => ToriiValue | undefined, path: readonly string[]): number | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  // Values are only checked at their top level on arrival: anything below may be malformed (null, a string, …).
  let current: unknown = member(head);
  for (const step of rest) {
    if (!isToriiObject(current) || current.type !== "struct") return undefined;
    const children = current.value;
    if (children === null || typeof children !== "object" || !Object.hasOwn(children, step)) return undefined;
    current = (children as Record<string, unknown>)[step];
  }
  if (!isToriiObject(current)) return undefined;
  const raw = current.value;
  const value = typeof raw === "number" ? raw : typeof raw === "string" && /^(0x[0-9a-f]+|\d+)$/i.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(value) && value >= 0 && value <= MAX_VERSION_MAJOR ? value : undefined;
}

function isToriiObject(value: unknown): value is { readonly type: unknown; readonly value: unknown } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
