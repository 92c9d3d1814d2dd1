import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "storybook-static/**", "bench/results.json"] },
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
    // The engine runs anywhere JavaScript runs: React may only enter through hooks/, components/ and store/.
    files: ["src/core/**", "src/torii/**", "src/telemetry/**", "src/map/**", "src/persistence/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["react", "react-dom", "react/*", "react-dom/*", "zustand", "zustand/*"], message: "src/core never imports React." },
            { group: ["../hooks/*", "../components/*", "../store/*", "../../hooks/*", "../../components/*", "../../store/*"], message: "The engine may not reach into the React side." },
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
