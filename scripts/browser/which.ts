/**
 * `npm run browser:which`: which Chromium the browser tests would launch, and how long resolving (and, the first time
 * for the bundled one, unpacking) took. `TSG_BROWSER=bundled npm run browser:which` unpacks the npm-provided one.
 */
import { resolveChromium } from "./chromium";

const started = performance.now();
const resolved = await resolveChromium();
const ms = Math.round(performance.now() - started);
console.log(JSON.stringify({ ...resolved, resolveMs: ms }, null, 2));
