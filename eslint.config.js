import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** React, and zustand's React entries (zustand/vanilla is the core's store). */
const REACT = "^(react|react-dom)(/.*)?$|^zustand(/(react|shallow|middleware|traditional)(/.*)?)?$";
/** Rooms of src/, as one regex over relative import paths ("../torii", "../../torii/source"). */
const room = (...names) => `^\\.{1,2}/(\\.\\./)*(${names.join("|")})(/.*)?$`;

/** The rooms a room may not import, with why (docs/architecture.md: the dependency points one way). */
function rooms(forbidden, message, extra = []) {
  return ["error", { patterns: [...extra, { regex: room(...forbidden), message }] }];
}

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "storybook-static/**", "bench/results.json", "examples/demo/dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-restricted-syntax": ["error", { selector: "ExportDefaultDeclaration", message: "Use named exports." }],
    },
  },
  {
    // The core owns its ports and imports no other room: torii, map, telemetry and the React side implement or use it.
    files: ["src/core/**"],
    rules: {
      "no-restricted-imports": rooms(["torii", "map", "telemetry", "sync", "store", "hooks", "components", "testing", "persist"], "src/core imports no other room of src/ (see docs/architecture.md).", [
        { regex: REACT, message: "src/core never imports React (zustand/vanilla only)." },
      ]),
    },
  },
  {
    // Adapters and derived data: the core and nothing else of src/.
    files: ["src/torii/**"],
    rules: { "no-restricted-imports": rooms(["map", "telemetry", "sync", "store", "hooks", "components", "testing", "persist"], "torii/ imports the core only (see docs/architecture.md).", [{ regex: REACT, message: "torii/ never imports React." }]) },
  },
  {
    files: ["src/map/**"],
    rules: { "no-restricted-imports": rooms(["torii", "telemetry", "sync", "store", "hooks", "components", "testing", "persist"], "map/ imports the core only (see docs/architecture.md).", [{ regex: REACT, message: "map/ never imports React." }]) },
  },
  {
    files: ["src/telemetry/**"],
    rules: { "no-restricted-imports": rooms(["torii", "map", "sync", "store", "hooks", "components", "testing", "persist"], "telemetry/ imports the core only (see docs/architecture.md).", [{ regex: REACT, message: "telemetry/ never imports React." }]) },
  },
  {
    files: ["src/persist/**"],
    rules: { "no-restricted-imports": rooms(["torii", "map", "telemetry", "sync", "store", "hooks", "components", "testing"], "persist/ imports the core only (see docs/architecture.md).", [{ regex: REACT, message: "persist/ never imports React." }]) },
  },
  {
    // The composition of the engine entry: core, torii, telemetry, persist; never the React side.
    files: ["src/sync/**"],
    rules: { "no-restricted-imports": rooms(["map", "store", "hooks", "components", "testing"], "src/sync composes the engine: core, torii, telemetry, persist.", [{ regex: REACT, message: "src/sync never imports React." }]) },
  },
  {
    // The React side reaches the engine through its public entry, its store and its types only.
    files: ["src/hooks/**", "src/components/**", "src/store/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: room("torii", "testing", "telemetry"), message: "The React side reaches the engine through src/sync and the pipeline's store." },
            { regex: "^\\.{1,2}/(\\.\\./)*core/(?!util/).*$", allowTypeImports: true, message: "The React side imports the core's types only; values come through src/sync or the pipeline." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/testing/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["react", "react-dom", "react/*", "react-dom/*"], message: "The testing kit runs in Node without React." }] }],
    },
  },
  {
    // Config files and Storybook's CSF need a default export.
    files: ["*.config.ts", "*.config.js", "eslint.config.js", ".storybook/**", "**/*.stories.tsx", "examples/**/vite.config.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
);
