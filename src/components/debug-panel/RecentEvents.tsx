import { useId, type CSSProperties, type ReactNode } from "react";
import { useSyncEvents } from "../../hooks/useSyncEvents";
import { Heading, type HeadingLevel } from "./heading";
import type { SyncDebugPanelLabels } from "./labels";
import { DEBUG_EVENT_TYPE_STYLE, DEBUG_EVENTS_STYLE, DEBUG_HEADING_STYLE, DEBUG_NOTE_STYLE, DEBUG_SECTION_STYLE } from "./styles";

// A stable key per event object: the list shifts as events arrive, and each row keeps its node.
const keys = new WeakMap<object, number>();
let nextKey = 0;
function keyOf(event: object): number {
  let key = keys.get(event);
  if (key === undefined) keys.set(event, (key = (nextKey += 1)));
  return key;
}

interface RecentEventsProps {
  readonly labels: SyncDebugPanelLabels;
  readonly headingLevel: HeadingLevel;
  readonly unstyled: boolean;
  readonly limit: number;
}

/** The pipeline's newest events, newest first, as a list under its heading: time, kind, one line of detail. */
export function RecentEvents({ labels: l, headingLevel, unstyled, limit }: RecentEventsProps): ReactNode {
  const events = useSyncEvents(limit);
  const heading = useId();
  const s = (style: CSSProperties) => (unstyled ? undefined : style);
  const newestFirst = [...events].reverse();
  return (
    <section aria-labelledby={heading} data-tsg-debug-events="" style={s(DEBUG_SECTION_STYLE)}>
      <Heading level={headingLevel} id={heading} style={s(DEBUG_HEADING_STYLE)}>
        {l.recentEvents}
      </Heading>
      {newestFirst.length === 0 ? (
        <p style={s(DEBUG_NOTE_STYLE)}>{l.noEvents}</p>
      ) : (
        // Focusable: the list scrolls past a few rows, and keyboard users must reach all of it.
        <ol aria-labelledby={heading} reversed tabIndex={0} style={s(DEBUG_EVENTS_STYLE)}>
          {newestFirst.map((event) => (
            <li key={keyOf(event)} data-tsg-debug-event={event.type}>
              <time dateTime={new Date(event.at).toISOString()}>{l.time(event.at)}</time> <span style={s(DEBUG_EVENT_TYPE_STYLE)}>{event.type}</span>{" "}
              {l.describeEvent(event)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
