import { OptionalTypes, type Component, type Metadata, type Schema, type Type as RecsType } from "@dojoengine/recs";
import type { ModelTag } from "../types";

/** What games pass as `components`: their generated `contractComponents` record, or an array of components. */
export type ComponentsInput = Readonly<Record<string, Component<Schema, Metadata, unknown>>> | readonly Component<Schema, Metadata, unknown>[];

/** One RECS component bound to the Torii model it mirrors. */
export interface ComponentBinding {
  readonly model: ModelTag;
  readonly component: Component<Schema, Metadata, unknown>;
  readonly fields: readonly string[];
  /** Fields RECS needs before `getComponentValue` returns anything: every non-optional one. */
  readonly required: readonly string[];
}

/**
 * Match components to Torii models by `metadata.namespace` and `metadata.name`, as Dojo's codegen defines them.
 * Components without that metadata (client-only components) are left alone.
 */
export function bindComponents(components: ComponentsInput): Map<ModelTag, ComponentBinding> {
  const bindings = new Map<ModelTag, ComponentBinding>();
  const list = Array.isArray(components) ? components : Object.values(components as Record<string, Component<Schema, Metadata, unknown>>);
  for (const component of list) {
    const model = modelTagOf(component);
    if (model === undefined) continue;
    const fields = Object.keys(component.schema);
    const required = fields.filter((field) => !isOptional(component.schema[field]));
    bindings.set(model, { model, component, fields, required });
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
