import type { Timers } from "../clock";
import type { EventStream } from "../events";
import type { EntityLedger } from "../ledger";
import type { PipelineCounters } from "../metrics";
import type { SyncSource } from "../ports";
import type { SyncGuardConfig } from "../sync-guard-config";
import type { ModelTag } from "../types";
import type { GuardController } from "./controller";
import type { PageEnvironment } from "./environment";
import { LivenessMonitor, type LivenessConfig } from "./liveness";
import { createScopeProbe, type ScopeProbe } from "./probe";

export interface WatchDeps {
  readonly source: SyncSource;
  readonly ledger: EntityLedger;
  isBound(model: ModelTag): boolean;
  readonly counters: PipelineCounters;
  readonly guard: GuardController;
  readonly config: SyncGuardConfig;
  readonly liveness: LivenessConfig;
  readonly timers: Timers;
  readonly environment: PageEnvironment;
  /** Something a UI shows changed (probes, the indexer head): publish. */
  onChange(): void;
  readonly events: EventStream;
}

/** The guard's eyes: the liveness monitor (silence, visibility, online) and the probe it asks the server with. */
export function createWatch(deps: WatchDeps): { readonly monitor: LivenessMonitor; readonly probe: ScopeProbe } {
  const { counters, guard } = deps;
  const probe = createScopeProbe({
    source: deps.source,
    ledger: deps.ledger,
    isBound: deps.isBound,
    seenExecutedAt: () => counters.seenExecutedAt,
    streamMessages: () => counters.streamMessages,
    pageSize: deps.config.probePageSize,
    onHead(head) {
      counters.indexerHead = head;
      deps.onChange();
    },
  });
  const monitor = new LivenessMonitor(deps.liveness, deps.timers, deps.environment, {
    canProbe: () => guard.state.status === "streaming" && !guard.state.inFlight,
    probe: (reason) => probe.probe(reason),
    onEvidence: (evidence, detail) => guard.evidence(evidence, detail ?? evidence),
    onLag: (lagMs) => guard.dispatch({ type: "lag", lagMs }),
    onProbe: () => {
      counters.probes += 1;
      deps.onChange();
    },
    canAudit: () => probe.canAudit,
    onOutcome(reason, outcome, detail) {
      counters.probesByOutcome[outcome] = (counters.probesByOutcome[outcome] ?? 0) + 1;
      deps.events.emit({ type: "probe", at: deps.timers.now(), reason, outcome, ...(detail === undefined ? {} : { detail }) });
      deps.onChange();
    },
  });
  return { monitor, probe };
}
