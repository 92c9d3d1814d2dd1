import { describe, expect, it } from "vitest";
import { formatSoakReport, runSoak } from "../../scripts/soak/run-soak";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);

describe("chaos soak (the real Torii client against the fake Torii)", () => {
  it(`should end with RECS equal to the server after ${SECONDS} s of chaos`, async () => {
    const report = await runSoak({ seconds: SECONDS, seed: Number(process.env.SOAK_SEED ?? 7) });
    console.info(formatSoakReport(report));
    expect(report.mismatches).toEqual([]);
    expect(report.difference).toBe(0);
    expect(report.finalStatus).toBe("streaming");
    // The schedule really disrupted the client, and the pipeline really recovered from it.
    expect(report.disruptions).toBeGreaterThan(3);
    expect(report.compared).toBeGreaterThan(50);
    expect(report.updatesSent).toBeGreaterThan(100);
    // Silent stalls happened and were caught while the stream was still silent (SQL watermark through toriiUrl).
    expect(report.stalls).toBeGreaterThan(0);
    expect(report.stallDetectionMs.length).toBeGreaterThan(0);
    // The figures come through the sink, and its events agree with its snapshot's counters.
    expect(report.eventsByKind.replay_finished).toBe(report.metrics.replays);
    expect(report.eventsByKind.gap ?? 0).toBe(report.metrics.gaps);
    expect(report.eventsByKind.budget_spent ?? 0).toBe(report.metrics.budgetSpent);
    expect(report.eventsByKind.probe ?? 0).toBe(Object.values(report.metrics.probesByOutcome).reduce((a, b) => a + (b ?? 0), 0));
    expect(report.metrics.lastApplied?.seconds).toBeGreaterThan(0);
    expect(report.metrics.replayMsP95).toBeGreaterThanOrEqual(report.metrics.replayMsP50 ?? Infinity);
  });
});
