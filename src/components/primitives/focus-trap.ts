import { useEffect, type KeyboardEvent, type RefObject } from "react";

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

/** What Tab can reach inside `container`, in DOM order. `aria-disabled` controls stay reachable on purpose. */
function tabbables(container: HTMLElement): HTMLElement[] {
  return Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (element) => element.tabIndex >= 0 && !(element as HTMLButtonElement).disabled && element.closest("[hidden], [inert]") === null,
  );
}

/** The open traps of each document, newest last: only the newest holds focus (two prompts would pull it back and forth). */
const openTraps = new WeakMap<Document, HTMLElement[]>();

/**
 * Keeps keyboard focus inside a modal: on mount focus goes to `initial`, focus that escapes (a click elsewhere, a script)
 * is brought back, and on unmount it returns to where it was. With several open, the newest holds focus. Pair with
 * `cycleTab` as the container's keydown handler.
 */
export function useFocusTrap(container: RefObject<HTMLElement | null>, initial: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const root = container.current;
    if (root === null) return undefined;
    const doc = root.ownerDocument;
    const traps = openTraps.get(doc) ?? [];
    openTraps.set(doc, traps);
    traps.push(root);
    const previous = doc.activeElement;
    (initial.current ?? root).focus();
    const bringBack = (event: FocusEvent): void => {
      if (traps[traps.length - 1] === root && !root.contains(event.target as Node | null)) (initial.current ?? root).focus();
    };
    doc.addEventListener("focusin", bringBack);
    return () => {
      doc.removeEventListener("focusin", bringBack);
      const newest = traps[traps.length - 1] === root;
      traps.splice(traps.indexOf(root), 1);
      // An older trap closing under a newer one leaves focus where the newer one holds it.
      if (newest && previous !== null && previous.isConnected && "focus" in previous) (previous as HTMLElement).focus();
    };
  }, [container, initial]);
}

/** Tab from the last control goes to the first and Shift+Tab from the first to the last: the cycle never leaves. */
export function cycleTab(event: KeyboardEvent<HTMLElement>): void {
  if (event.key !== "Tab") return;
  const root = event.currentTarget;
  const items = tabbables(root);
  const first = items[0];
  const last = items[items.length - 1];
  if (first === undefined || last === undefined) {
    event.preventDefault();
    return;
  }
  const active = root.ownerDocument.activeElement;
  const outside = active === root || !root.contains(active);
  if (event.shiftKey && (active === first || outside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || outside)) {
    event.preventDefault();
    first.focus();
  }
}
