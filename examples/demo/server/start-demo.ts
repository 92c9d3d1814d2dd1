import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeTorii } from "../../../src/testing/index";
import { startDemoBackend, type DemoBackendOptions } from "./backend";
import { buildDemoApp, DIST_DIR, VITE_CONFIG } from "./build-app";
import type { ChaosBoard } from "./chaos-board";
import { serveStatic } from "./static-files";

export interface StartDemoOptions extends DemoBackendOptions {
  /** Port of the app and the control API on 127.0.0.1; 0 lets the OS pick. @default 5175 */
  readonly port?: number;
  /**
   * `"build"`: `vite build` (skipped when the bundle is up to date) and serve the bundle, the robust choice for a fresh
   * clone. `"dev"`: Vite's dev server in middleware mode, on the same port. @default "build"
   */
  readonly mode?: "build" | "dev";
  /** Build even when the bundle looks up to date ("build" mode). @default false */
  readonly forceBuild?: boolean;
  /** Progress lines (build, listening). @default none */
  readonly log?: (line: string) => void;
}

export interface RunningDemo {
  /** `http://127.0.0.1:PORT/`: the app. */
  readonly url: string;
  /** The fake Torii the page connects to. */
  readonly toriiUrl: string;
  readonly fake: FakeTorii;
  readonly board: ChaosBoard;
  /** Stops the blocks, the servers and every socket; idempotent. */
  close(): Promise<void>;
}

/**
 * The demo: a fake Torii with a Blitz-like world stepping on an interval, the chaos control API, and the React app,
 * all on 127.0.0.1. Nothing reaches beyond the machine.
 */
export async function startDemo(options: StartDemoOptions = {}): Promise<RunningDemo> {
  const log = options.log ?? (() => undefined);
  const mode = options.mode ?? "build";
  if (mode === "build") {
    const { built, ms } = await buildDemoApp({ force: options.forceBuild === true });
    log(built ? `[demo] built the app in ${(ms / 1000).toFixed(1)} s` : "[demo] the app bundle is up to date");
  }

  const backend = await startDemoBackend(options);
  const server: Server = createServer();
  let closeVite: () => Promise<void> = async () => undefined;
  try {
    if (mode === "dev") {
      const { createServer: createViteServer } = await import("vite");
      const vite = await createViteServer({
        configFile: VITE_CONFIG,
        appType: "spa",
        logLevel: "warn",
        // The backend is ours: the config's own plugin (for a bare `vite`) stands aside in middleware mode.
        server: { middlewareMode: true, ws: { server } },
      });
      closeVite = () => vite.close();
      server.on("request", (request, response) => {
        if (!backend.api(request, response)) vite.middlewares(request, response);
      });
    } else {
      const files = serveStatic(DIST_DIR);
      server.on("request", (request, response) => {
        if (!backend.api(request, response)) files(request, response);
      });
    }
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 5175, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await closeVite();
    await backend.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  log(`[demo] fake Torii on ${backend.fake.url}, app on ${url} (${mode === "dev" ? "Vite dev server" : "built bundle"})`);

  let closing: Promise<void> | undefined;
  return {
    url,
    toriiUrl: backend.fake.url,
    fake: backend.fake,
    board: backend.board,
    close: () =>
      (closing ??= (async () => {
        await closeVite();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await backend.close();
      })()),
  };
}
