import { useSyncExternalStore, type ReactNode } from "react";
import { readTelemetry, subscribeTelemetry } from "./telemetry";

const time = (at: number): string => new Date(at).toISOString().slice(11, 23);
const counts = (record: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(record)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ") || "none";

/** What the sink received: the newest events and the last snapshot's figures (the seed's list). */
export function TelemetryLog(): ReactNode {
  const { events, snapshot: m } = useSyncExternalStore(subscribeTelemetry, readTelemetry, readTelemetry);
  return (
    <section className="panel telemetry" aria-labelledby="telemetry-title" data-testid="telemetry-log">
      <h2 id="telemetry-title">
        Through a sink: <code>createMetricsSink</code>
      </h2>
      {m === undefined ? null : (
        <dl className="telemetry-figures" data-testid="telemetry-snapshot">
          <dt>queue depth / high water</dt>
          <dd>
            {m.queueDepth} / {m.queueHighWater}
          </dd>
          <dt>last applied</dt>
          <dd>{m.lastApplied?.iso ?? "none"}</dd>
          <dt>replay p50 / p95</dt>
          <dd>
            {m.replayMsP50 ?? 0} / {m.replayMsP95 ?? 0} ms
          </dd>
          <dt>connection · lag</dt>
          <dd>
            {m.connection} · {m.lagMs} ms
          </dd>
          <dt>indexer head</dt>
          <dd>{m.indexerHead === undefined ? "unknown" : `block ${m.indexerHead.block}`}</dd>
          <dt>probes</dt>
          <dd>{counts(m.probesByOutcome)}</dd>
          <dt>dropped</dt>
          <dd>{counts(m.droppedByReason)}</dd>
          <dt>gaps · budget spent</dt>
          <dd>
            {m.gaps} · {m.budgetSpent}
          </dd>
        </dl>
      )}
      <h3>Events</h3>
      <ol className="telemetry-events" reversed data-testid="telemetry-events">
        {[...events].reverse().map((event, index) => (
          <li key={`${event.at}-${event.type}-${events.length - index}`}>
            <time dateTime={new Date(event.at).toISOString()}>{time(event.at)}</time> <code>{event.type}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}
