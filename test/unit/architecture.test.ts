import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

/** The rule ids lint reports for `code` as if it were the file at `file`. */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = path.join(folder, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.tsx?$/.test(name) && !name.includes(".stories.") ? [file] : [];
  });
}

describe("the house's rooms and their directions (lint enforces them)", () => {
  it.each([
    ["src/core/x.ts", 'import { createToriiSource } from "../torii/source";\nexport const x = createToriiSource;\n'],
    ["src/core/replay/x.ts", 'import { defineMapProjection } from "../../map/projection";\nexport const x = defineMapProjection;\n'],
    ["src/core/x.ts", 'import { createLogger } from "../telemetry/logger";\nexport const x = createLogger;\n'],
    ["src/core/x.ts", 'import { useState } from "react";\nexport const x = useState;\n'],
    ["src/core/x.ts", 'import { useStore } from "zustand";\nexport const x = useStore;\n'],
    ["src/torii/x.ts", 'import { defineMapProjection } from "../map/projection";\nexport const x = defineMapProjection;\n'],
    ["src/map/x.ts", 'import { decodeEntity } from "../torii/decode";\nexport const x = decodeEntity;\n'],
    ["src/hooks/x.ts", 'import { createPipeline } from "../core/pipeline";\nexport const x = createPipeline;\n'],
  ])("should fail lint when %s imports across a wall", async (file, code) => {
    expect((await violations(file, code)).some((v) => v.startsWith("no-restricted-imports"))).toBe(true);
  });

  it.each([
    ["src/core/x.ts", 'import { createStore } from "zustand/vanilla";\nexport const x = createStore;\n'],
    ["src/torii/x.ts", 'import { SyncError } from "../core/errors";\nexport const x = SyncError;\n'],
    ["src/hooks/x.ts", 'import type { SyncPipeline } from "../core/pipeline";\nexport type X = SyncPipeline;\n'],
  ])("should let %s import what its room may", async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });

  it("should keep every source file under 300 lines, and the pipeline's wiring under 200", () => {
    const long = sources(path.join(root, "src"))
      .map((file) => ({ file: path.relative(root, file), lines: readFileSync(file, "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > 300);
    expect(long).toEqual([]);
    expect(readFileSync(path.join(root, "src/core/pipeline.ts"), "utf8").split("\n").length - 1).toBeLessThanOrEqual(200);
  });
});
