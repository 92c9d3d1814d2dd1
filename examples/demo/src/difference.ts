import { getComponentEntities, getComponentValue, type Component, type Entity, type Metadata, type Schema } from "@dojoengine/recs";
import type { TruthSnapshot } from "../shared/protocol";
import { toWireJson } from "../shared/wire-json";

export type MismatchKind = "missing" | "extra" | "different";

/** Where a mismatched entity-model sits on the map, when the model has a position. */
export interface MismatchCell {
  readonly x: number;
  readonly y: number;
}

export interface DifferenceReport {
  /** Entity-models that differ from the server (missing + extra + different), settled (see SETTLE_MS). */
  readonly total: number;
  readonly missing: number;
  readonly extra: number;
  readonly different: number;
  /** Entity-models on the server. */
  readonly serverModels: number;
  /** A few of the differences, for people: "Army 0x3f2: different (coord)". */
  readonly examples: readonly string[];
  readonly cells: readonly MismatchCell[];
}

export const NO_DIFFERENCE: DifferenceReport = { total: 0, missing: 0, extra: 0, different: 0, serverModels: 0, examples: [], cells: [] };

type AnyComponent = Component<Schema, Metadata, unknown>;
type Value = Readonly<Record<string, unknown>>;

/** The server's models indexed by tag and canonical id. */
export type TruthIndex = ReadonlyMap<string, ReadonlyMap<string, Value>>;

/** `0x` + lower-case hex without leading zeros: padded (the SDK) and minimal (the wasm client, the naive side) ids meet here. */
export function canonicalId(id: string): string {
  return `0x${BigInt(id).toString(16)}`;
}

/**
 * Compares RECS worlds with the server, counting only settled differences: the server's value has stood for
 * `settleMs`, and the RECS value differed on this poll and on the previous one. An update in flight, or one that
 * landed between the server's answer and the comparison, is not a difference.
 */
export class DifferenceMeter {
  private readonly server = new Map<string, { fingerprint: string | undefined; since: number }>();
  private readonly previous = new Map<string, ReadonlySet<string>>();

  constructor(private readonly settleMs: number) {}

  /** Records the server's state at `now` and returns it indexed. */
  observe(truth: TruthSnapshot, now: number): TruthIndex {
    const index = new Map<string, Map<string, Value>>();
    const seen = new Set<string>();
    for (const [tag, rows] of Object.entries(truth.models)) {
      const byId = new Map<string, Value>();
      index.set(tag, byId);
      for (const [id, value] of rows) {
        byId.set(id, value);
        const key = `${tag}|${id}`;
        seen.add(key);
        const fingerprint = toWireJson(value);
        if (this.server.get(key)?.fingerprint !== fingerprint) this.server.set(key, { fingerprint, since: now });
      }
    }
    for (const [key, entry] of this.server) {
      if (entry.fingerprint !== undefined && !seen.has(key)) this.server.set(key, { fingerprint: undefined, since: now });
    }
    return index;
  }

  /** The settled difference between one RECS world (its components by model tag) and the server. */
  measure(side: string, components: ReadonlyMap<string, AnyComponent>, truth: TruthIndex, now: number): DifferenceReport {
    const before = this.previous.get(side) ?? new Set<string>();
    const current = new Set<string>();
    let missing = 0;
    let extra = 0;
    let different = 0;
    let serverModels = 0;
    const examples: string[] = [];
    const cells: MismatchCell[] = [];
    const settled = (key: string): boolean => {
      let entry = this.server.get(key);
      if (entry === undefined) {
        // Never on the server while the page watched: absent from now on.
        entry = { fingerprint: undefined, since: now };
        this.server.set(key, entry);
      }
      return now - entry.since >= this.settleMs;
    };
    const count = (kind: MismatchKind, tag: string, id: string, detail: string, where: Value | undefined): void => {
      const key = `${tag}|${id}`;
      current.add(key);
      if (!before.has(key) || !settled(key)) return;
      if (kind === "missing") missing += 1;
      else if (kind === "extra") extra += 1;
      else different += 1;
      if (examples.length < 4) examples.push(`${tag.replace(/^[^-]*-/, "")} ${shortId(id)} ${detail}`);
      const cell = where === undefined ? undefined : cellOf(where);
      if (cell !== undefined) cells.push(cell);
    };

    for (const [tag, component] of components) {
      const want = truth.get(tag) ?? new Map<string, Value>();
      serverModels += want.size;
      const held = new Map<string, Value>();
      for (const entity of getComponentEntities(component)) {
        // A component RECS hides (a non-optional field missing) is not there for the game either.
        const value = getComponentValue(component, entity as Entity);
        if (value !== undefined) held.set(canonicalId(entity), value as Value);
      }
      for (const [id, expected] of want) {
        const got = held.get(id);
        if (got === undefined) count("missing", tag, id, "missing", expected);
        else {
          const fields = differingFields(got, expected);
          if (fields.length > 0) count("different", tag, id, `different (${fields.join(", ")})`, expected);
        }
      }
      for (const [id, value] of held) if (!want.has(id)) count("extra", tag, id, "extra (gone from the server)", value);
    }
    this.previous.set(side, current);
    return { total: missing + extra + different, missing, extra, different, serverModels, examples, cells };
  }
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id;
}

function differingFields(got: Value, want: Value): string[] {
  const fields: string[] = [];
  for (const field of new Set([...Object.keys(got), ...Object.keys(want)])) if (!sameValue(got[field], want[field])) fields.push(field);
  return fields;
}

/**
 * Deep equality of RECS values. `null` and `undefined` are the same thing: an Option's None is `undefined` in the
 * SDK's optional fields and `null` from @dojoengine/state; both mean "none".
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return b === undefined || b === null;
  if (typeof a !== "object" || b === null || typeof b !== "object") return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) if (!sameValue(left[key], right[key])) return false;
  return true;
}

function cellOf(value: Value): MismatchCell | undefined {
  const coord = value["coord"] as { x?: unknown; y?: unknown } | undefined;
  if (coord !== undefined && typeof coord.x === "number" && typeof coord.y === "number") return { x: coord.x, y: coord.y };
  if (typeof value["col"] === "number" && typeof value["row"] === "number") return { x: value["col"], y: value["row"] };
  return undefined;
}

/** The components of a RECS world keyed by their Torii model tag (`namespace-Name`, from the codegen's metadata). */
export function componentsByTag(components: Readonly<Record<string, AnyComponent>>): Map<string, AnyComponent> {
  const byTag = new Map<string, AnyComponent>();
  for (const component of Object.values(components)) {
    const metadata = component.metadata as { namespace?: unknown; name?: unknown } | undefined;
    if (typeof metadata?.namespace === "string" && typeof metadata.name === "string") byTag.set(`${metadata.namespace}-${metadata.name}`, component);
  }
  return byTag;
}
