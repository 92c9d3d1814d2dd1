import { useCallback, type Ref, type RefCallback, type SyntheticEvent } from "react";

/**
 * The user's handler runs first; ours runs unless the user called `preventDefault()` (the Radix convention), so a
 * handler passed to a component adds to its behaviour and can opt out of it, but never silently replaces it.
 */
export function composeEventHandlers<E extends SyntheticEvent>(
  user: ((event: E) => void) | undefined,
  ours: (event: E) => void,
): (event: E) => void {
  return (event) => {
    user?.(event);
    if (!event.defaultPrevented) ours(event);
  };
}

function assignRef<T>(ref: Ref<T> | undefined, value: T | null): void {
  if (typeof ref === "function") ref(value);
  else if (ref !== null && ref !== undefined) (ref as { current: T | null }).current = value;
}

/** One ref callback feeding the component's own ref and the one the user forwarded. */
export function useComposedRefs<T>(...refs: Array<Ref<T> | undefined>): RefCallback<T> {
  // The refs themselves are the dependencies: a new callback only when one of them changes.
  return useCallback((node: T | null) => refs.forEach((ref) => assignRef(ref, node)), refs);
}
