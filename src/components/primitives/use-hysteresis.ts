import { useEffect, useState } from "react";

export interface HysteresisOptions {
  /** How long `active` must hold before the result turns on; a shorter blip never shows. */
  readonly delayMs: number;
  /** Once on, the result stays on at least this long, even if `active` turns off sooner. */
  readonly minVisibleMs: number;
  /** Forces the result off at once, skipping the minimum time (something else has taken over the screen). */
  readonly suppressed?: boolean;
}

/**
 * Debounces a flag for display: on only after `delayMs` of `active`, then on for at least `minVisibleMs`. All timers
 * live in effects, so they start only in the browser and are cleared on unmount.
 */
export function useHysteresis(active: boolean, { delayMs, minVisibleMs, suppressed = false }: HysteresisOptions): boolean {
  const [shown, setShown] = useState(false);
  const [held, setHeld] = useState(false);
  const wanted = active && !suppressed;

  useEffect(() => {
    if (!wanted || shown) return undefined;
    const timer = setTimeout(() => {
      setShown(true);
      setHeld(true);
    }, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  }, [wanted, shown, delayMs]);

  useEffect(() => {
    if (!held) return undefined;
    const timer = setTimeout(() => setHeld(false), Math.max(0, minVisibleMs));
    return () => clearTimeout(timer);
  }, [held, minVisibleMs]);

  const visible = shown && !suppressed && (wanted || held);

  // Once hidden, the next activation must wait the full delay again.
  useEffect(() => {
    if (shown && !visible) {
      setShown(false);
      setHeld(false);
    }
  }, [shown, visible]);

  return visible;
}
