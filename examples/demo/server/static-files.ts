import { createReadStream, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  // instantiateStreaming needs this exact type for the Torii client's wasm.
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json",
};

/** Serves the built app from `dir`; `/` and unknown paths without an extension get index.html. */
export function serveStatic(dir: string): (request: IncomingMessage, response: ServerResponse) => void {
  const root = path.resolve(dir);
  return (request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://127.0.0.1");
    let file = path.resolve(root, `.${decodeURIComponent(pathname)}`);
    if (file !== root && !file.startsWith(`${root}${path.sep}`)) {
      response.writeHead(403).end();
      return;
    }
    if (pathname === "/" || (path.extname(file) === "" && !isFile(file))) file = path.join(root, "index.html");
    if (!isFile(file)) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const hashed = pathname.startsWith("/assets/");
    response.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    });
    createReadStream(file).pipe(response);
  };
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
