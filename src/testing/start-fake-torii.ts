import type { IncomingMessage, ServerResponse } from "node:http";
import { FakeToriiError } from "./errors";
import type { ChaosConfig } from "./server/chaos-config";
import { createChaos } from "./server/chaos-controls";
import type { ChaosControls } from "./server/chaos-controls";
import { CORS_HEADERS, handleGrpc, readBody } from "./server/grpc-router";
import { HttpHost } from "./server/http-host";
import { PageFaults } from "./server/page-faults";
import { toSqlJson } from "./server/sql";
import { StreamHub } from "./server/stream-hub";
import { TimerRegistry } from "./server/timers";
import { WorldSimulator } from "./world/simulator";
import type { WorldOptions } from "./world/simulator";

export interface FakeToriiOptions {
  /** Port on 127.0.0.1. @default 0 (the OS picks one) */
  readonly port?: number;
  /** A world to serve (kept open on close), or options for a new one (closed with the server). @default a Blitz world */
  readonly world?: WorldSimulator | WorldOptions;
  /** Seeds the world (unless its options give a seed) and every chaos decision. @default 1 */
  readonly seed?: number;
  /** Initial stream chaos. @default none */
  readonly chaos?: Partial<ChaosConfig>;
}

export interface FakeToriiStats {
  /** Open server streams: entity and event-message subscribers plus SubscribeContracts streams. */
  readonly openStreams: number;
  /** Entity and event-message subscribers. */
  readonly subscribers: number;
  /** Open TCP sockets (streams and idle keep-alive connections). */
  readonly sockets: number;
  /** Calls per gRPC method name, and `/sql` for the HTTP endpoint. */
  readonly requests: Readonly<Record<string, number>>;
  /** Subscribers disconnected because more than `maxPendingMessages` piled up. */
  readonly evictions: number;
  /** Timers the fake has pending (0 after close). */
  readonly timers: number;
}

export interface FakeTorii {
  /** `http://127.0.0.1:PORT`: pass it as the ToriiClient's `toriiUrl`. */
  readonly url: string;
  /** The world contract address, padded hex. */
  readonly worldAddress: string;
  readonly world: WorldSimulator;
  readonly chaos: ChaosControls;
  stats(): FakeToriiStats;
  /**
   * Closes every connection and listens again on the same port; the world keeps its state, and chaos its settings and
   * queued page faults (only `chaos.reset()` clears them). With `downtimeMs` the port stays closed that long first
   * (connections are refused, so the client backs off).
   */
  restart(options?: { readonly downtimeMs?: number | undefined }): Promise<void>;
  /** Ends every stream, destroys every socket, clears every timer; idempotent. */
  close(): Promise<void>;
}

async function handleSql(world: WorldSimulator, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const query = request.method === "GET" ? (url.searchParams.get("query") ?? "") : (await readBody(request)).toString("utf8");
  try {
    const body = toSqlJson(world.sql(query));
    response.writeHead(200, { ...CORS_HEADERS, "content-type": "application/json" });
    response.end(body);
  } catch (error) {
    response.writeHead(400, { ...CORS_HEADERS, "content-type": "text/plain" });
    response.end(error instanceof Error ? error.message : String(error));
  }
}

/** Starts a fake Torii (gRPC-web over HTTP/1.1 on 127.0.0.1) that the real @dojoengine/torii-client can connect to. */
export async function startFakeTorii(options: FakeToriiOptions = {}): Promise<FakeTorii> {
  const seed = options.seed ?? 1;
  const faults = new PageFaults();
  // First, so a bad chaos option throws before a world is started or a port is bound.
  const chaos = createChaos(options.chaos ?? {}, () => hub, faults, () => host.destroySockets());
  const ownsWorld = !(options.world instanceof WorldSimulator);
  const world = options.world instanceof WorldSimulator ? options.world : new WorldSimulator({ seed, ...options.world });
  const timers = new TimerRegistry();
  const requests: Record<string, number> = {};
  let closed = false;
  let endDowntime: (() => void) | undefined;

  const count = (name: string): void => {
    requests[name] = (requests[name] ?? 0) + 1;
  };
  const host = new HttpHost((request, response) => {
    if (closed) {
      response.destroy();
      return;
    }
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (request.method === "OPTIONS") {
      response.writeHead(204, CORS_HEADERS);
      response.end();
    } else if (url.pathname === "/sql") {
      count("/sql");
      void handleSql(world, request, response, url).catch(() => response.destroy());
    } else if (url.pathname.startsWith("/world.World/") && request.method === "POST") {
      const method = url.pathname.slice("/world.World/".length);
      count(method);
      readBody(request)
        .then((body) => handleGrpc({ world, hub, faults, timers }, method, body, response))
        .catch(() => response.destroy());
    } else {
      response.writeHead(404, CORS_HEADERS);
      response.end();
    }
  });
  const hub = new StreamHub({ world, timers, seed, chaosFor: (id) => chaos.configFor(id) });

  let port: number;
  try {
    port = await host.listen(options.port ?? 0);
  } catch (error) {
    hub.close();
    if (ownsWorld) world.close();
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    worldAddress: world.worldAddress,
    world,
    chaos: chaos.controls,
    stats: () => ({
      openStreams: hub.openStreams,
      subscribers: hub.subscriberCount,
      sockets: host.socketCount,
      requests: { ...requests },
      evictions: hub.evictions,
      timers: timers.size,
    }),
    async restart(restartOptions) {
      if (closed) throw new FakeToriiError("FAKE_TORII_CLOSED", "restart() after close()");
      await host.close();
      timers.clearAll();
      const downtime = restartOptions?.downtimeMs ?? 0;
      if (downtime > 0) {
        // close() during the downtime ends it early instead of leaving this promise pending.
        await new Promise<void>((resolve) => {
          endDowntime = resolve;
          timers.set(resolve, downtime);
        });
        endDowntime = undefined;
      }
      if (closed) return;
      await host.listen(port);
      // close() may have run while the port was being bound, before there was a listener to close: close the new one.
      if (closed) await host.close();
    },
    async close() {
      if (closed) return;
      closed = true;
      endDowntime?.();
      hub.close();
      timers.clearAll();
      await host.close();
      if (ownsWorld) world.close();
    },
  };
}
