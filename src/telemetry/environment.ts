/**
 * Whether this is a development build, decided the way bundlers and Node agree on:
 *
 * - `process.env.NODE_ENV` is read written out in full, so Vite, webpack, esbuild, Rollup and Parcel replace it with a
 *   literal at build time; `"development"` is development, `"production"` and `"test"` are not.
 * - In Node without a bundler, an unset `NODE_ENV` is development (Node's own convention, as Express's).
 * - In a browser bundle that defines no `process.env.NODE_ENV` (the expression throws: no `process`), it is *not*
 *   development: nothing is printed and nothing is attached to `window` unless the app asks (`logging: true`,
 *   `inspector: true`).
 */
export function isDevelopment(): boolean {
  const env = nodeEnv();
  if (env === MISSING) return false;
  return env === undefined || env === "development";
}

const MISSING = Symbol("no process.env");

function nodeEnv(): string | undefined | typeof MISSING {
  try {
    // Not `typeof process` first: a bundler replaces only this exact expression, and the guard would hide it.
    return process.env.NODE_ENV;
  } catch {
    return MISSING;
  }
}
