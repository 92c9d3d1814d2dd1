import type { Clause, MemberClause } from "@dojoengine/grpc";
import { ComparisonOperator, LogicalOperator, PatternMatching } from "@dojoengine/grpc";
import { fromBytes } from "../protocol/felt";
import type { ModelValues } from "../schema/types";
import type { Comparable } from "./member-value";
import { comparableFromMemberValue, comparableFromValue, valueAtPath } from "./member-value";

/** What a clause is matched against: an entity in a page, or one update in a stream. */
export interface MatchTarget {
  readonly id: bigint;
  readonly keys: readonly bigint[];
  /** Models the entity has (pages) or the update touches (streams). */
  readonly modelTags: readonly string[];
  /** Every model's values, read only when a Member clause needs them. */
  values(): Readonly<Record<string, ModelValues>>;
}

/** A clause the fake cannot evaluate: the server answers it with INVALID_ARGUMENT instead of guessing. */
export class UnsupportedClauseError extends Error {
  override readonly name = "UnsupportedClauseError";
}

const SUPPORTED_OPERATORS = new Set<number>([
  ComparisonOperator.EQ,
  ComparisonOperator.NEQ,
  ComparisonOperator.GT,
  ComparisonOperator.GTE,
  ComparisonOperator.LT,
  ComparisonOperator.LTE,
  ComparisonOperator.IN,
  ComparisonOperator.NOT_IN,
]);

/** Throws UnsupportedClauseError for operators the fake does not implement (the array operators). */
export function assertSupportedClause(clause: Clause | undefined): void {
  const c = clause?.clause_type;
  if (c?.oneofKind === "member" && !SUPPORTED_OPERATORS.has(c.member.operator)) {
    throw new UnsupportedClauseError(`member clause operator ${ComparisonOperator[c.member.operator] ?? c.member.operator} is not supported by the fake`);
  }
  if (c?.oneofKind === "composite") c.composite.clauses.forEach(assertSupportedClause);
}

function compare(a: Comparable, b: Comparable): number | undefined {
  if (typeof a !== typeof b) return undefined;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function matchMember(clause: MemberClause, target: MatchTarget): boolean {
  const model = target.values()[clause.model];
  if (model === undefined) return false;
  const stored = comparableFromValue(valueAtPath(model, clause.member));
  const wanted = comparableFromMemberValue(clause.value);
  if (stored === undefined || wanted === undefined) return false;
  if (clause.operator === ComparisonOperator.IN || clause.operator === ComparisonOperator.NOT_IN) {
    const list = Array.isArray(wanted) ? wanted : [wanted];
    const found = list.some((item) => compare(stored, item) === 0);
    return clause.operator === ComparisonOperator.IN ? found : !found;
  }
  if (Array.isArray(wanted)) return false;
  const order = compare(stored, wanted);
  switch (clause.operator) {
    case ComparisonOperator.EQ:
      return order === 0;
    case ComparisonOperator.NEQ:
      return order !== 0;
    case ComparisonOperator.GT:
      return order === 1;
    case ComparisonOperator.GTE:
      return order === 1 || order === 0;
    case ComparisonOperator.LT:
      return order === -1;
    case ComparisonOperator.LTE:
      return order === -1 || order === 0;
    default:
      return false;
  }
}

/**
 * Torii's clause semantics as the fake implements them: no clause matches everything; HashedKeys matches listed ids
 * (an empty list matches all); Keys matches key patterns (an empty key is a wildcard; FixedLen needs the same number of
 * keys, VariableLen a prefix) and, when it lists models, an entity holding (or an update touching) one of them;
 * Member compares one member of one model; Composite And/Or combines (an empty And is true, an empty Or false).
 */
export function matchesClause(clause: Clause | undefined, target: MatchTarget): boolean {
  const c = clause?.clause_type;
  if (c === undefined || c.oneofKind === undefined) return true;
  switch (c.oneofKind) {
    case "hashed_keys":
      return c.hashed_keys.hashed_keys.length === 0 || hashedKeySet(c.hashed_keys.hashed_keys).has(target.id);
    case "keys": {
      const { keys, pattern_matching, models } = c.keys;
      if (pattern_matching === PatternMatching.FixedLen ? target.keys.length !== keys.length : target.keys.length < keys.length) return false;
      const keysMatch = keys.every((bytes, i) => bytes.length === 0 || fromBytes(bytes) === target.keys[i]);
      return keysMatch && (models.length === 0 || models.some((m) => target.modelTags.includes(m)));
    }
    case "member":
      return matchMember(c.member, target);
    case "composite": {
      const results = c.composite.clauses.map((inner) => matchesClause(inner, target));
      return c.composite.operator === LogicalOperator.OR ? results.some(Boolean) : results.every(Boolean);
    }
  }
}

// One clause is matched against every entity of a page request (or every update of a subscription): its ids are
// decoded once, not once per entity (500 ids over 100k entities was 50M decodings, past a page's deadline).
const hashedKeySets = new WeakMap<readonly Uint8Array[], ReadonlySet<bigint>>();

function hashedKeySet(keys: readonly Uint8Array[]): ReadonlySet<bigint> {
  let set = hashedKeySets.get(keys);
  if (set === undefined) {
    set = new Set(keys.map((bytes) => fromBytes(bytes)));
    hashedKeySets.set(keys, set);
  }
  return set;
}

/**
 * For a top-level HashedKeys clause with ids, whether an id can match at all: lets a page skip building the entities
 * it would only throw away (a read of 500 ids over 100k entities). `undefined` for any other clause.
 */
export function idFilterOf(clause: Clause | undefined): ((id: bigint) => boolean) | undefined {
  const c = clause?.clause_type;
  if (c?.oneofKind !== "hashed_keys" || c.hashed_keys.hashed_keys.length === 0) return undefined;
  const ids = hashedKeySet(c.hashed_keys.hashed_keys);
  return (id) => ids.has(id);
}

/** A top-level Keys clause that lists models also limits which models are sent back. */
export function modelsSelectedByClause(clause: Clause | undefined): readonly string[] {
  const c = clause?.clause_type;
  return c?.oneofKind === "keys" ? c.keys.models : [];
}
