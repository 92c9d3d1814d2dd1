import type { CSSProperties } from "react";

// The panel's new views, in the same dark scheme and `--tsg-debug-*` variables as its figures (AA contrast on #0f172a).

export const DEBUG_SECTION_STYLE: CSSProperties = { marginTop: "0.75rem", borderTop: "1px solid var(--tsg-debug-rule, #334155)", paddingTop: "0.5rem" };

export const DEBUG_HEADING_STYLE: CSSProperties = { margin: "0 0 0.375rem", fontSize: "inherit", fontWeight: 700 };

export const DEBUG_FORM_STYLE: CSSProperties = { display: "flex", flexWrap: "wrap", alignItems: "center", gap: "0.375rem" };

export const DEBUG_INPUT_STYLE: CSSProperties = {
  minWidth: "16rem",
  flex: "1 1 16rem",
  padding: "0.25rem 0.375rem",
  background: "var(--tsg-debug-input-bg, #1e293b)",
  color: "inherit",
  border: "1px solid var(--tsg-debug-input-border, #94a3b8)",
  borderRadius: "var(--tsg-radius, 0.25rem)",
  font: "inherit",
};

export const DEBUG_NOTE_STYLE: CSSProperties = { margin: "0.375rem 0 0", color: "var(--tsg-debug-muted, #cbd5e1)" };

export const DEBUG_TABLE_STYLE: CSSProperties = { borderCollapse: "collapse", margin: "0.375rem 0", textAlign: "start" };

export const DEBUG_CELL_STYLE: CSSProperties = { padding: "0.125rem 0.75rem 0.125rem 0", textAlign: "start", verticalAlign: "top" };

export const DEBUG_PRE_STYLE: CSSProperties = { margin: 0, maxHeight: "12rem", overflow: "auto", whiteSpace: "pre-wrap", overflowWrap: "anywhere" };

// Room for three-digit markers: a scrolling list clips what sits outside its box.
export const DEBUG_EVENTS_STYLE: CSSProperties = { margin: 0, paddingInlineStart: "2.5em", maxHeight: "16rem", overflow: "auto" };

export const DEBUG_EVENT_TYPE_STYLE: CSSProperties = { fontWeight: 700 };
