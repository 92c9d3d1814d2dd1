import { OptionalTypes, type Component, type Metadata, type Schema, type Type as RecsType } from "@dojoengine/recs";
import type { ModelTag } from "../types";
import { shardMap } from "../util/sharded-map";

/** What games pass as `components`: their generated `contractComponents` record, or an array of components. */
export type ComponentsInput = Readonly<Record<string, Component<Schema, Metadata, unknown>>> | readonly Component<Schema, Metadata, unknown>[];

/** One RECS component bound to the Torii model it mirrors. */
export interface ComponentBinding {
  readonly model: ModelTag;
  /** The model's place among the bound models: its column in the pending store and the ledger. */
  readonly index: number;
  readonly component: Component<Schema, Metadata, unknown>;
  /** The schema's fields, in schema order: a member's column is its index here. */
  readonly fields: readonly string[];
  /** Fields RECS needs before `getComponentValue` returns anything: every non-optional one. */
  readonly required: readonly string[];
  /** Whether each column is required (same order as `fields`). */
  readonly requiredColumns: readonly boolean[];
  /** RECS's own storage of each column (`component.values[field]`), by column: read and written without a name lookup. */
  readonly stores: ReadonlyArray<Map<symbol, unknown> | undefined>;
}

/**
 * Match components to Torii models by `metadata.namespace` and `metadata.name`, as Dojo's codegen defines them.
 * Components without that metadata (client-only components) are left alone.
 */
export function bindComponents(components: ComponentsInput, options: { readonly shardValues?: boolean } = {}): Map<ModelTag, ComponentBinding> {
  const bindings = new Map<ModelTag, ComponentBinding>();
  const list = Array.isArray(components) ? components : Object.values(components as Record<string, Component<Schema, Metadata, unknown>>);
  for (const component of list) {
    const model = modelTagOf(component);
    if (model === undefined) continue;
    const fields = Object.keys(component.schema);
    const requiredColumns = fields.map((field) => !isOptional(component.schema[field]));
    const required = fields.filter((_, column) => requiredColumns[column]);
    const stores = fields.map((field) => (component.values as Record<string, Map<symbol, unknown> | undefined>)[field]);
    // A world that grows must not block on one Map's rehash (see util/sharded-map.ts).
    if (options.shardValues === true) for (const store of stores) if (store !== undefined) shardMap(store);
    // A component bound twice (two components for one model) keeps its first column.
    const index = bindings.get(model)?.index ?? bindings.size;
    bindings.set(model, { model, index, component, fields, required, requiredColumns, stores });
  }
  return bindings;
}

export function modelTagOf(component: Component<Schema, Metadata, unknown>): ModelTag | undefined {
  const metadata = component.metadata as { namespace?: unknown; name?: unknown } | undefined;
  if (metadata === undefined || typeof metadata.name !== "string" || typeof metadata.namespace !== "string") return undefined;
  return `${metadata.namespace}-${metadata.name}`;
}

function isOptional(type: RecsType | Schema | undefined): boolean {
  return typeof type === "number" && OptionalTypes.includes(type);
}
