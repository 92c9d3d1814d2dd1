import type { IncomingMessage, ServerResponse } from "node:http";
import { toWireJson } from "../shared/wire-json";
import { CHAOS_SWITCHES, type ChaosSwitchId, type DemoConfig, type TruthSnapshot } from "../shared/protocol";
import type { ChaosBoard } from "./chaos-board";

export interface ControlApiDeps {
  readonly config: DemoConfig;
  readonly board: ChaosBoard;
  readonly truth: () => TruthSnapshot;
}

/** Handles `/api/*` (JSON); returns false for any other path so the caller can serve the app. */
export type ControlApi = (request: IncomingMessage, response: ServerResponse) => boolean;

const SWITCH_IDS = new Set<string>(CHAOS_SWITCHES.map((s) => s.id));

export function createControlApi(deps: ControlApiDeps): ControlApi {
  return (request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://127.0.0.1");
    if (!pathname.startsWith("/api/")) return false;
    const route = `${request.method ?? "GET"} ${pathname}`;
    try {
      if (route === "GET /api/config") send(response, 200, deps.config);
      else if (route === "GET /api/truth") send(response, 200, deps.truth());
      else if (route === "GET /api/chaos") send(response, 200, deps.board.status());
      else if (request.method === "POST" && pathname.startsWith("/api/chaos/")) {
        const id = pathname.slice("/api/chaos/".length);
        if (!SWITCH_IDS.has(id)) send(response, 404, { error: `no chaos switch ${JSON.stringify(id)}` });
        else send(response, 200, deps.board.apply(id as ChaosSwitchId));
        // The body is not used; drain it so the connection can be reused.
        request.resume();
      } else send(response, 404, { error: `no route ${route}` });
    } catch (error) {
      send(response, 500, { error: error instanceof Error ? error.message : String(error) });
    }
    return true;
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(toWireJson(body));
}
