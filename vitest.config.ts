import path from "node:path";
import { fileURLToPath } from "node:url";
import { storybookTest } from "@storybook/addon-vitest/vitest-plugin";
import react from "@vitejs/plugin-react";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";

const dirname = path.dirname(fileURLToPath(import.meta.url));

// Debian's Chromium, never a downloaded one; the resolver rule keeps it from reaching any host but this machine.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];

/** Headless Chromium through Playwright; a fresh options object per project, since the provider may push args. */
function chromium() {
  return {
    enabled: true,
    headless: true,
    provider: playwright({ launchOptions: { executablePath: "/usr/bin/chromium", args: [...CHROMIUM_ARGS] } }),
    instances: [{ browser: "chromium" as const }],
  };
}

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
        plugins: [react()],
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.tsx"],
          browser: chromium(),
        },
      },
      {
        // Every story in .storybook/main.ts runs as a test in the same Chromium; addon-a11y's axe check fails it on a violation.
        plugins: [storybookTest({ configDir: path.join(dirname, ".storybook") })],
        test: {
          name: "storybook",
          browser: chromium(),
        },
      },
    ],
  },
});
