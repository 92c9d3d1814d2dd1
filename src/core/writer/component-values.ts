import type { ComponentBinding } from "./bindings";

// A component's value as RECS holds it, read and made from the binding's columns (the writer's hot path).

/** A new component's value: the members given, and undefined for the optional ones not (see writeRow). */
export function wholeValue(binding: ComponentBinding, values: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of binding.fields) value[field] = values.get(field);
  return value;
}

/** What RECS's getComponentValue reads (undefined while a required field is missing), from the binding's columns. */
export function readLive(binding: ComponentBinding, symbol: symbol): Record<string, unknown> | undefined {
  const { fields, stores, requiredColumns } = binding;
  let value: Record<string, unknown> | undefined;
  for (let column = 0; column < fields.length; column += 1) {
    const member = stores[column]?.get(symbol);
    if (member === undefined && requiredColumns[column] === true) return undefined;
    (value ??= {})[fields[column] as string] = member;
  }
  return value ?? {};
}
