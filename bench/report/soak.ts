import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";

/** The command that writes the soak report; the bench only reads it. */
export const SOAK_COMMAND = "npm run soak -- --seconds 600 --report bench/SOAK.md";

/** What the bench found of the soak report: it never runs the soak itself. */
export type SoakInclusion =
  | { readonly present: false; readonly path: string }
  | {
      readonly present: true;
      readonly path: string;
      /** The file's modification time: when the soak wrote it (not when this bench ran). */
      readonly modified: string;
      readonly bytes: number;
      readonly sha256: string;
      /** Read from the report's own lines, when they are there. */
      readonly seconds: number | undefined;
      readonly difference: number | undefined;
      readonly finalStatus: string | undefined;
      /** The last commit that touched the file, and whether the file differs from it (git; undefined outside a checkout). */
      readonly commit: string | undefined;
      readonly uncommitted: boolean | undefined;
      readonly content: string;
    };

export function readSoakReport(path: string, shownAs: string): SoakInclusion {
  if (!existsSync(path)) return { present: false, path: shownAs };
  const content = readFileSync(path, "utf8");
  const number = (pattern: RegExp): number | undefined => {
    const match = pattern.exec(content);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
  return {
    present: true,
    path: shownAs,
    modified: statSync(path).mtime.toISOString(),
    bytes: Buffer.byteLength(content),
    sha256: createHash("sha256").update(content).digest("hex").slice(0, 12),
    seconds: number(/Chaos soak: (\d+(?:\.\d+)?) s/),
    difference: number(/difference between RECS and the server\**\s*\|\s*\**(\d+)/),
    finalStatus: /\| final status \| ([^|]+?) \|/.exec(content)?.[1],
    ...provenance(path),
    content,
  };
}

function provenance(path: string): { commit: string | undefined; uncommitted: boolean | undefined } {
  const git = (args: readonly string[]): string | undefined => {
    try {
      return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return undefined;
    }
  };
  const commit = git(["log", "-1", "--format=%h", "--", path]);
  const status = git(["status", "--porcelain", "--", path]);
  return { commit: commit === "" ? undefined : commit, uncommitted: status === undefined ? undefined : status !== "" };
}

/** The section RESULTS.md ends with: the soak's own report, one heading level down, clearly marked as not measured here. */
export function renderSoakSection(soak: SoakInclusion): string[] {
  const lines = ["## Chaos soak (10 minutes)", ""];
  if (!soak.present) {
    return [
      ...lines,
      `Not included: \`${soak.path}\` did not exist when this bench ran. The soak is not part of \`npm run bench\`; ` +
        `write the report with \`${SOAK_COMMAND}\` (about ten minutes), then run the bench again to include it here.`,
      "",
    ];
  }
  const duration =
    soak.seconds === undefined
      ? " The report does not say how long the soak ran."
      : soak.seconds === 600
        ? ""
        : ` Note: this report is from a ${soak.seconds} s soak, not the 10 minutes the heading names.`;
  return [
    ...lines,
    `Not measured by this bench run: the text below is \`${soak.path}\` as found, written by \`${SOAK_COMMAND}\` ` +
      `(file last modified ${soak.modified}${soak.commit === undefined ? "" : `; last committed in ${soak.commit}${soak.uncommitted === true ? ", changed since" : ""}`}; sha-256 ${soak.sha256}). ` +
      `The bench neither ran the soak nor can tell which code it ran against, so it may predate the code measured above.${duration}`,
    "",
    ...soak.content
      .trimEnd()
      .split("\n")
      .map(demoteHeading),
    "",
  ];
}

/** Its headings sit below this section's: one level down, and never above level 3. */
function demoteHeading(line: string): string {
  const hashes = /^(#{1,6}) /.exec(line)?.[1];
  if (hashes === undefined) return line;
  return `${"#".repeat(Math.min(6, Math.max(3, hashes.length + 1)))}${line.slice(hashes.length)}`;
}
