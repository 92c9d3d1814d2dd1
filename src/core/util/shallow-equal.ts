/**
 * Equal values, or two plain objects (or two arrays) with the same own keys holding `Object.is`-equal values: what a
 * layer's `fields` or a map selector builds anew on every read, compared one level deep. Other objects: by identity.
 */
export function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  // Only plain objects and arrays are compared by their keys: a Map, a Set, a Date or an iterator keeps its state
  // where Object.keys does not look, so any two of them would compare equal.
  const prototype = Object.getPrototypeOf(a) as unknown;
  if (prototype !== Object.getPrototypeOf(b) || (prototype !== Object.prototype && prototype !== null && prototype !== Array.prototype)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}
