import path from "node:path";
import { fileURLToPath } from "node:url";
import { storybookTest } from "@storybook/addon-vitest/vitest-plugin";
import react from "@vitejs/plugin-react";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_ARGS, type ResolvedChromium, resolveChromium } from "./scripts/browser/chromium.js";

const dirname = path.dirname(fileURLToPath(import.meta.url));

/**
 * Headless Chromium through Playwright; a fresh options object per project, since the provider may push args.
 * Which binary: `resolveChromium()` (CHROMIUM_PATH, a system Chromium, Playwright's cached one, else the one
 * `@sparticuz/chromium` ships in node_modules), always with CHROMIUM_ARGS (no host but this machine is reachable).
 */
function chromium(browser: ResolvedChromium | undefined) {
  return {
    enabled: true,
    headless: true,
    provider: playwright({
      launchOptions: {
        ...(browser ? { executablePath: browser.executablePath } : {}),
        args: [...(browser?.args ?? CHROMIUM_ARGS)],
        // The bundled browser's NSS libraries and fonts (also in process.env; explicit in case the launch env is rebuilt).
        ...(browser?.env ? { env: { ...process.env, ...browser.env } } : {}),
      },
    }),
    instances: [{ browser: "chromium" as const }],
  };
}

// Resolved (and, the first time for the npm-provided browser, unpacked, ~2 s) once when the config loads. With no
// browser at all, only the browser and storybook projects fail (Playwright's own "executable doesn't exist").
const browser = await resolveChromium().catch((error: unknown) => {
  console.warn(`[vitest.config] no Chromium for the browser projects: ${error instanceof Error ? error.message : String(error)}`);
  return undefined;
});

export default defineConfig({
  test: {
    // The JSON report is what .ci/run counts ("N passed, N failed").
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "react",
          include: ["test/react/**/*.test.tsx"],
          environment: "jsdom",
          setupFiles: ["test/react/setup.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // The wasm client and the fake server share one process; run files one at a time on this 2-core machine.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "soak",
          include: ["test/soak/**/*.test.ts"],
          environment: "node",
          testTimeout: 300_000,
          // After everything else: the soak is timing-driven and gets the machine to itself.
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // The demo (examples/demo) in real Chromium through Playwright: servers and browser started by the tests.
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // Timing-driven (guard timings, chaos): last, with the machine to itself.
          sequence: { groupOrder: 2 },
        },
      },
      {
        plugins: [react()],
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.tsx"],
          browser: chromium(browser),
        },
      },
      {
        // Every story in .storybook/main.ts runs as a test in the same Chromium; addon-a11y's axe check fails it on a violation.
        plugins: [storybookTest({ configDir: path.join(dirname, ".storybook") })],
        test: {
          name: "storybook",
          browser: chromium(browser),
        },
      },
    ],
  },
});
