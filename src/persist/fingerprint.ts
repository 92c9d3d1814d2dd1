import { version as sdkVersion } from "../../package.json";
import { normalizeEntityId } from "../core/entity-id";
import type { ModelTag } from "../core/types";
import type { ComponentBinding } from "../core/writer/bindings";
import { CACHE_NAME_PREFIX, type CacheIdentity } from "./layout";

/** This SDK's version: a cache written by another version may hold values converted or versioned differently. */
export const PACKAGE_VERSION: string = sdkVersion;

export interface IdentityInput {
  /** The bound components (`bindComponents`): models, members and their RECS types. */
  readonly bindings: ReadonlyMap<ModelTag, ComponentBinding>;
  /** The world address(es) synced: a cache of one world is never read as another's. */
  readonly worldAddresses: readonly string[];
  /**
   * What of the world is synced: the clause and the model list, as the app passes them. A cache of another scope would
   * show entities outside this one until a replay removed them. @default the whole world
   */
  readonly scope?: unknown;
  /** @default PACKAGE_VERSION */
  readonly packageVersion?: string;
}

/**
 * What a cache must match to be read: a hash of the synced schema (each model, its members in schema order, their RECS
 * types and, when codegen gave them, their Cairo types) and the world addresses, plus the package version. Order-free:
 * the same components passed in another order give the same fingerprint.
 */
export function cacheIdentity(input: IdentityInput): CacheIdentity {
  const models = [...input.bindings.values()]
    .map((binding) => describeBinding(binding))
    .sort();
  const worlds = input.worldAddresses.map(normalizeWorld).sort();
  const text = JSON.stringify(input.scope === undefined ? { worlds, models } : { worlds, models, scope: input.scope }, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value));
  return { fingerprint: hash64(text), packageVersion: input.packageVersion ?? PACKAGE_VERSION };
}

/** The default database name: one per world (or set of worlds), so two games on one origin never share a cache. */
export function defaultCacheName(worldAddresses: readonly string[]): string {
  const worlds = worldAddresses.map(normalizeWorld).sort();
  return `${CACHE_NAME_PREFIX}${worlds.length === 0 ? "default" : worlds.join(",")}`;
}

function describeBinding(binding: ComponentBinding): string {
  const schema = binding.component.schema as Record<string, unknown>;
  const metadata = binding.component.metadata as { types?: unknown } | undefined;
  const cairo = Array.isArray(metadata?.types) && metadata.types.every((t) => typeof t === "string") ? metadata.types : [];
  return JSON.stringify([binding.model, binding.fields.map((field) => [field, schema[field]]), cairo]);
}

/** An address in one spelling (padded lowercase hex) when it is hex; anything else as given. */
function normalizeWorld(address: string): string {
  try {
    return normalizeEntityId(address);
  } catch {
    return address;
  }
}

/** 64 bits of two independent 32-bit mixes (cyrb53's multipliers): enough to tell schemas apart, not a security hash. */
function hash64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, "0") + (h1 >>> 0).toString(16).padStart(8, "0");
}
