import { useCallback, useEffect, useState, type ReactNode } from "react";
import { CHAOS_SWITCHES, type ChaosStatus, type ChaosSwitchId } from "../shared/protocol";
import { fetchApi, flipChaos } from "./connect";

const LASTING: ReadonlySet<ChaosSwitchId> = new Set(["pause", "stall-drop", "stall-hold", "reorder", "spend-budget", "restart"]);

/** The switches that misbehave the fake Torii, through the demo server's control API. */
export function ChaosPanel(): ReactNode {
  const [status, setStatus] = useState<ChaosStatus | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    let stopped = false;
    const read = (): void => {
      fetchApi<ChaosStatus>("/api/chaos")
        .then((next) => {
          if (!stopped) setStatus(next);
        })
        .catch(() => undefined);
    };
    read();
    const timer = setInterval(read, 1_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  const flip = useCallback((id: ChaosSwitchId) => {
    flipChaos(id)
      .then((next) => {
        setStatus(next);
        setError(undefined);
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)));
  }, []);

  const active = new Set(status?.active ?? []);
  return (
    <section className="panel chaos" aria-labelledby="chaos-title" data-testid="chaos-panel" data-active={[...active].join(" ")}>
      <h2 id="chaos-title">Chaos</h2>
      <p className="hint">
        Each switch misbehaves the fake Torii the page is connected to. Block {status?.block ?? "…"} · {status?.subscribers ?? "…"} open
        subscriptions.
      </p>
      <ul className="switches">
        {CHAOS_SWITCHES.map((item) => (
          <li key={item.id} className={active.has(item.id) ? "switch on" : "switch"}>
            <button
              type="button"
              data-testid={`chaos-${item.id}`}
              aria-pressed={LASTING.has(item.id) ? active.has(item.id) : undefined}
              onClick={() => flip(item.id)}
            >
              {item.label}
            </button>
            <div className="switch-text">
              <span>{item.does}</span>
              <span className="expect">SDK: {item.expect}</span>
            </div>
          </li>
        ))}
      </ul>
      {error === undefined ? null : <p role="alert">{error}</p>}
    </section>
  );
}
