import { useId, useState, type CSSProperties, type FormEvent, type ReactNode } from "react";
import type { EntityId } from "../../core/entity-id";
import type { LedgerEntry } from "../../core/ledger";
import { normalizeEntityId } from "../../sync/index";
import { useSyncPipeline } from "../../hooks/useSyncActions";
import { DEBUG_BUTTON_STYLE } from "../primitives/styles";
import { Heading, type HeadingLevel } from "./heading";
import type { SyncDebugPanelLabels } from "./labels";
import { DEBUG_CELL_STYLE, DEBUG_FORM_STYLE, DEBUG_HEADING_STYLE, DEBUG_INPUT_STYLE, DEBUG_NOTE_STYLE, DEBUG_PRE_STYLE, DEBUG_SECTION_STYLE, DEBUG_TABLE_STYLE } from "./styles";

interface LookupProps {
  readonly labels: SyncDebugPanelLabels;
  readonly headingLevel: HeadingLevel;
  readonly unstyled: boolean;
}

type Looked = { readonly kind: "none" } | { readonly kind: "bad" } | { readonly kind: "id"; readonly id: EntityId };

/**
 * Paste an entity id (minimal or padded hex), press Enter: what the ledger holds for it (per model: block time,
 * version, newer members, tombstones) and its current RECS values. Read at each render, so it follows the sync live.
 */
export function EntityLookup({ labels: l, headingLevel, unstyled }: LookupProps): ReactNode {
  const pipeline = useSyncPipeline();
  const ids = { heading: useId(), input: useId(), note: useId() };
  const [text, setText] = useState("");
  const [looked, setLooked] = useState<Looked>({ kind: "none" });
  const s = (style: CSSProperties) => (unstyled ? undefined : style);

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    try {
      setLooked({ kind: "id", id: normalizeEntityId(text.trim()) });
    } catch {
      setLooked({ kind: "bad" });
    }
  };

  const entry = looked.kind === "id" ? pipeline?.inspectEntity(looked.id) : undefined;
  return (
    <section aria-labelledby={ids.heading} data-tsg-debug-lookup="" style={s(DEBUG_SECTION_STYLE)}>
      <Heading level={headingLevel} id={ids.heading} style={s(DEBUG_HEADING_STYLE)}>
        {l.entityLookup}
      </Heading>
      <form role="search" aria-labelledby={ids.heading} onSubmit={submit} style={s(DEBUG_FORM_STYLE)}>
        <label htmlFor={ids.input}>{l.entityId}</label>
        <input
          id={ids.input}
          type="text"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="0x…"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={looked.kind === "bad" || undefined}
          aria-describedby={looked.kind === "bad" ? ids.note : undefined}
          style={s(DEBUG_INPUT_STYLE)}
        />
        <button type="submit" style={s(DEBUG_BUTTON_STYLE)}>
          {l.lookUp}
        </button>
      </form>
      <div aria-live="polite" data-tsg-debug-entity="">
        {looked.kind === "bad" ? (
          <p id={ids.note} style={s(DEBUG_NOTE_STYLE)}>
            {l.badEntityId}
          </p>
        ) : looked.kind === "id" && pipeline === undefined ? (
          <p style={s(DEBUG_NOTE_STYLE)}>
            {l.notRunning}
          </p>
        ) : looked.kind === "id" && entry === undefined ? (
          <p style={s(DEBUG_NOTE_STYLE)}>
            {l.entityNotFound(looked.id)}
          </p>
        ) : entry !== undefined ? (
          <EntityView entry={entry} labels={l} headingLevel={headingLevel} unstyled={unstyled} />
        ) : null}
      </div>
    </section>
  );
}

function EntityView(props: LookupProps & { readonly entry: LedgerEntry & { readonly values: Readonly<Record<string, unknown>> } }): ReactNode {
  const { entry, labels: l, unstyled } = props;
  const s = (style: CSSProperties) => (unstyled ? undefined : style);
  const sub = Math.min(6, props.headingLevel + 1) as HeadingLevel;
  return (
    <div>
      <Heading level={sub} style={s({ ...DEBUG_NOTE_STYLE, overflowWrap: "anywhere" })}>
        {entry.entityId}
      </Heading>
      <table style={s(DEBUG_TABLE_STYLE)}>
        <caption style={s({ textAlign: "start" })}>{l.ledger}</caption>
        <thead>
          <tr>
            {[l.model, l.blockTime, l.version, l.members].map((title) => (
              <th key={title} scope="col" style={s(DEBUG_CELL_STYLE)}>
                {title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {entry.models.map((model) => (
            <tr key={model.model} data-tsg-debug-model={model.model}>
              <th scope="row" style={s(DEBUG_CELL_STYLE)}>
                {model.model}
                {model.deleted ? ` (${l.deleted})` : ""}
              </th>
              <td style={s(DEBUG_CELL_STYLE)}>{model.at === undefined ? l.none : String(model.at)}</td>
              <td style={s(DEBUG_CELL_STYLE)}>{model.version === undefined ? l.none : String(model.version)}</td>
              <td style={s(DEBUG_CELL_STYLE)}>{Object.keys(model.members).length === 0 ? l.none : Object.entries(model.members).map(([name, v]) => `${name} ${v}`).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Heading level={sub} style={s(DEBUG_NOTE_STYLE)}>
        {l.values}
      </Heading>
      {/* Focusable: it scrolls when the values are long, and keyboard users must reach all of it. */}
      <pre data-tsg-debug-values="" tabIndex={0} style={s(DEBUG_PRE_STYLE)}>
        {JSON.stringify(entry.values, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value), 2)}
      </pre>
    </div>
  );
}
