/** Where the guard learns that the tab was hidden or the network came back. Injected in tests, lazy in browsers. */
export interface PageEnvironment {
  /** Calls back with `true` when the page becomes hidden, `false` when visible. Returns the unsubscribe. */
  onVisibilityChange(listener: (hidden: boolean) => void): () => void;
  /** Calls back when the browser goes online again. Returns the unsubscribe. */
  onOnline(listener: () => void): () => void;
}

/** No page (Node, SSR): nothing to listen to. */
export const noPageEnvironment: PageEnvironment = { onVisibilityChange: () => () => undefined, onOnline: () => () => undefined };

/** The browser's `document` and `window`, read only when the guard starts, so importing the SDK never touches them. */
export function browserEnvironment(): PageEnvironment {
  const doc = (globalThis as { document?: Document }).document;
  const win = (globalThis as { window?: Window }).window;
  if (doc === undefined || win === undefined) return noPageEnvironment;
  return {
    onVisibilityChange(listener) {
      const handler = (): void => listener(doc.visibilityState === "hidden");
      doc.addEventListener("visibilitychange", handler);
      return () => doc.removeEventListener("visibilitychange", handler);
    },
    onOnline(listener) {
      win.addEventListener("online", listener);
      return () => win.removeEventListener("online", listener);
    },
  };
}
