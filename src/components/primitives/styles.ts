import type { CSSProperties } from "react";

/**
 * Default looks, written as inline styles that read CSS variables with fallbacks: an app restyles a component by setting
 * `--tsg-*` on any ancestor (or through `className`), overrides single properties with `style`, or drops all of this with
 * `unstyled`. Colours keep WCAG AA contrast against their own background.
 */
export function withDefaultStyle(unstyled: boolean, defaults: CSSProperties, user: CSSProperties | undefined): CSSProperties | undefined {
  if (unstyled) return user;
  return user === undefined ? defaults : { ...defaults, ...user };
}

const font = "var(--tsg-font, system-ui, -apple-system, 'Segoe UI', sans-serif)";

export const BANNER_STYLE: CSSProperties = {
  display: "flex",
  alignItems: "center",
  gap: "0.75rem",
  padding: "var(--tsg-banner-padding, 0.5rem 0.875rem)",
  background: "var(--tsg-banner-bg, #fff4d6)",
  color: "var(--tsg-banner-fg, #4a3000)",
  border: "1px solid var(--tsg-banner-border, #d9a441)",
  borderRadius: "var(--tsg-radius, 0.5rem)",
  fontFamily: font,
  fontSize: "var(--tsg-banner-font-size, 0.875rem)",
  lineHeight: 1.4,
};

export const BANNER_BUTTON_STYLE: CSSProperties = {
  marginInlineStart: "auto",
  padding: "0.25rem 0.75rem",
  background: "var(--tsg-banner-button-bg, #4a3000)",
  color: "var(--tsg-banner-button-fg, #ffffff)",
  border: "none",
  borderRadius: "var(--tsg-radius, 0.375rem)",
  font: "inherit",
  cursor: "pointer",
};

/** The banner's button while the replay it asked for runs: it stays (focus) but looks at rest, not clickable. */
export const BANNER_BUTTON_BUSY_STYLE: CSSProperties = { ...BANNER_BUTTON_STYLE, opacity: "var(--tsg-banner-button-busy-opacity, 0.6)", cursor: "progress" };

export const PROMPT_OVERLAY_STYLE: CSSProperties = {
  position: "fixed",
  inset: 0,
  zIndex: "var(--tsg-prompt-z, 1000)",
  display: "flex",
  alignItems: "center",
  justifyContent: "center",
  padding: "1rem",
  background: "var(--tsg-prompt-backdrop, rgba(15, 23, 42, 0.55))",
};

export const PROMPT_STYLE: CSSProperties = {
  maxWidth: "var(--tsg-prompt-width, 28rem)",
  width: "100%",
  padding: "1.25rem 1.5rem",
  background: "var(--tsg-prompt-bg, #ffffff)",
  color: "var(--tsg-prompt-fg, #111827)",
  borderRadius: "var(--tsg-radius, 0.75rem)",
  boxShadow: "var(--tsg-prompt-shadow, 0 20px 45px rgba(15, 23, 42, 0.35))",
  fontFamily: font,
  lineHeight: 1.5,
};

export const PROMPT_TITLE_STYLE: CSSProperties = { margin: "0 0 0.5rem", fontSize: "1.125rem", fontWeight: 600 };

export const PROMPT_TEXT_STYLE: CSSProperties = { margin: "0 0 0.5rem" };

export const PROMPT_DETAILS_STYLE: CSSProperties = {
  margin: "0 0 1rem",
  color: "var(--tsg-prompt-muted, #4b5563)",
  fontSize: "0.8125rem",
  overflowWrap: "anywhere",
};

export const PROMPT_ACTIONS_STYLE: CSSProperties = { display: "flex", flexWrap: "wrap", gap: "0.5rem", justifyContent: "flex-end" };

export const PROMPT_PRIMARY_STYLE: CSSProperties = {
  padding: "0.5rem 1rem",
  background: "var(--tsg-prompt-primary-bg, #1d4ed8)",
  color: "var(--tsg-prompt-primary-fg, #ffffff)",
  border: "1px solid var(--tsg-prompt-primary-bg, #1d4ed8)",
  borderRadius: "var(--tsg-radius, 0.375rem)",
  font: "inherit",
  fontWeight: 600,
  cursor: "pointer",
};

export const PROMPT_SECONDARY_STYLE: CSSProperties = {
  padding: "0.5rem 1rem",
  background: "var(--tsg-prompt-secondary-bg, #ffffff)",
  color: "var(--tsg-prompt-secondary-fg, #1e3a8a)",
  border: "1px solid var(--tsg-prompt-secondary-border, #1e3a8a)",
  borderRadius: "var(--tsg-radius, 0.375rem)",
  font: "inherit",
  cursor: "pointer",
};

export const DEBUG_PANEL_STYLE: CSSProperties = {
  display: "inline-block",
  padding: "0.625rem 0.75rem",
  background: "var(--tsg-debug-bg, #0f172a)",
  color: "var(--tsg-debug-fg, #e2e8f0)",
  borderRadius: "var(--tsg-radius, 0.5rem)",
  fontFamily: "var(--tsg-debug-font, ui-monospace, SFMono-Regular, Menlo, monospace)",
  fontSize: "var(--tsg-debug-font-size, 0.75rem)",
  lineHeight: 1.5,
};

export const DEBUG_LIST_STYLE: CSSProperties = {
  display: "grid",
  gridTemplateColumns: "auto auto",
  columnGap: "1rem",
  margin: "0 0 0.5rem",
};

export const DEBUG_TERM_STYLE: CSSProperties = { color: "var(--tsg-debug-muted, #cbd5e1)" };

export const DEBUG_VALUE_STYLE: CSSProperties = { margin: 0, textAlign: "end", fontVariantNumeric: "tabular-nums" };

export const DEBUG_BUTTON_STYLE: CSSProperties = {
  padding: "0.25rem 0.625rem",
  background: "var(--tsg-debug-button-bg, #e2e8f0)",
  color: "var(--tsg-debug-button-fg, #0f172a)",
  border: "none",
  borderRadius: "var(--tsg-radius, 0.375rem)",
  font: "inherit",
  cursor: "pointer",
};
