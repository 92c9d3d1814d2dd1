import { ToriiClient } from "@dojoengine/torii-client";
import type { ChaosStatus, ChaosSwitchId, DemoConfig } from "../shared/protocol";
import { fromWireJson } from "../shared/wire-json";

export interface DemoSession {
  readonly config: DemoConfig;
  readonly client: ToriiClient;
}

/** Reads the control API (JSON with bigints). */
export async function fetchApi<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { cache: "no-store", ...init });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${response.status} ${text}`);
  return fromWireJson<T>(text);
}

/** Flips one chaos switch through the control API; resolves with the faults now in force. */
export function flipChaos(id: ChaosSwitchId): Promise<ChaosStatus> {
  return fetchApi<ChaosStatus>(`/api/chaos/${id}`, { method: "POST" });
}

/** What a game does at start: read where Torii is, then build its client. */
export async function connectToDemo(): Promise<DemoSession> {
  const config = await fetchApi<DemoConfig>("/api/config");
  // The constructor returns a Promise although its typings say otherwise: always await it.
  const client = await new ToriiClient({ toriiUrl: config.toriiUrl, worldAddress: config.worldAddress });
  return { config, client };
}
