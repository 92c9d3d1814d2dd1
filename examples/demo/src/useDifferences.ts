import type { Component, Metadata, Schema } from "@dojoengine/recs";
import { useEffect, useState } from "react";
import { SETTLE_MS, TRUTH_POLL_MS, type TruthSnapshot } from "../shared/protocol";
import { fetchApi } from "./connect";
import { DifferenceMeter, NO_DIFFERENCE, type DifferenceReport } from "./difference";

type ComponentsByTag = ReadonlyMap<string, Component<Schema, Metadata, unknown>>;

export interface DifferenceView {
  readonly ours: DifferenceReport;
  readonly naive: DifferenceReport;
  /** The server's head block at the last comparison. */
  readonly block: number;
  /** Comparisons made so far. */
  readonly checks: number;
  readonly error: string | undefined;
}

const INITIAL: DifferenceView = { ours: NO_DIFFERENCE, naive: NO_DIFFERENCE, block: 0, checks: 0, error: undefined };

/** Every TRUTH_POLL_MS: the server's world from the control API, compared with both RECS worlds. */
export function useDifferences(ours: ComponentsByTag, naive: ComponentsByTag | undefined): DifferenceView {
  const [view, setView] = useState<DifferenceView>(INITIAL);
  useEffect(() => {
    const meter = new DifferenceMeter(SETTLE_MS);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async (): Promise<void> => {
      try {
        const truth = await fetchApi<TruthSnapshot>("/api/truth");
        if (stopped) return;
        const now = performance.now();
        const index = meter.observe(truth, now);
        const oursReport = meter.measure("ours", ours, index, now);
        const naiveReport = naive === undefined ? NO_DIFFERENCE : meter.measure("naive", naive, index, now);
        setView((previous) => ({ ours: oursReport, naive: naiveReport, block: truth.block, checks: previous.checks + 1, error: undefined }));
      } catch (error) {
        if (!stopped) setView((previous) => ({ ...previous, error: error instanceof Error ? error.message : String(error) }));
      } finally {
        if (!stopped) timer = setTimeout(() => void check(), TRUTH_POLL_MS);
      }
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [ours, naive]);
  return view;
}
