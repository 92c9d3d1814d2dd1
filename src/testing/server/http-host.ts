import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The Node HTTP/1.1 server under the fake, bound to 127.0.0.1. It tracks every socket so `close()` and
 * `breakConnections()` can destroy them, and can listen again on the same port after a close (`restart`).
 */
export class HttpHost {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;
  /** A listen() in progress: close() waits for it, so a listener bound meanwhile is closed too rather than leaked. */
  private binding: Promise<number> | undefined;

  constructor(private readonly handler: RequestHandler) {}

  get port(): number {
    return this.boundPort;
  }

  get socketCount(): number {
    return this.sockets.size;
  }

  get listening(): boolean {
    return this.server?.listening === true;
  }

  async listen(port: number): Promise<number> {
    const binding = this.bind(port);
    this.binding = binding;
    try {
      return await binding;
    } finally {
      if (this.binding === binding) this.binding = undefined;
    }
  }

  private async bind(port: number): Promise<number> {
    const server = createServer(this.handler);
    // Streams stay open for minutes in tests; Node's default request timeouts would cut them.
    server.requestTimeout = 0;
    server.timeout = 0;
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    this.boundPort = typeof address === "object" && address !== null ? address.port : port;
    this.server = server;
    return this.boundPort;
  }

  /** Destroys every socket (streams included) without closing the listener. */
  destroySockets(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    return count;
  }

  async close(): Promise<void> {
    await this.binding?.catch(() => undefined);
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A destroyed socket reports 'close' a tick later; wait for it so stats() reads 0 once close() resolves.
    const socketsClosed = [...this.sockets].map((socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())));
    server.closeAllConnections();
    this.destroySockets();
    await Promise.all([closed, ...socketsClosed]);
  }
}
