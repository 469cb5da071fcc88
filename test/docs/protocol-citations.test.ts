/**
 * The code and the docs cite the protocol as `docs/protocol.md §N` (or `§N.M`, and lists and
 * ranges such as `docs/protocol.md §3, §4` or `§1–§4`). Every cited section must exist in
 * docs/protocol.md, and no citation may name the protocol any other way: an old uppercase
 * "SPEC" citation points at a document that is not in the repository.
 *
 * Every text file of the repository is read (dependencies, build output and VCS data left out),
 * so a citation is checked wherever a file moves.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROTOCOL = "docs/protocol.md";
const THIS_FILE = relative(ROOT, fileURLToPath(import.meta.url));
const SKIP_DIRS = new Set([".git", "node_modules", "dist", "coverage", "build", "test-output", ".tinychain"]);
const MAX_BYTES = 2 * 1024 * 1024;

/** A section number: `7` or `7.2`. */
const NUMBER = String.raw`\d+(?:\.\d+)*`;
/** `docs/protocol.md` and the section numbers that follow it: `§7`, `§3, §4`, `§1–§4`, `§§3–4`, `§4 and §5`. */
const CITATION = new RegExp(String.raw`docs/protocol\.md((?:\s*(?:,|–|-|and|or|to)?\s*§§?${NUMBER}(?:\s*(?:–|-)\s*${NUMBER})?)+)`, "g");
/** Inside docs/protocol.md a bare `§N` is its own section, unless it is an RFC's. */
const OWN_REFERENCE = new RegExp(String.raw`(RFC \d+ )?§(${NUMBER})`, "g");
const OLD_NAME = /\bSPEC\b/;

interface Place {
  file: string;
  line: number;
  text: string;
}

/** Every text file under `dir`, as paths relative to the repository root. */
function textFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...textFiles(path));
    } else if (entry.isFile() && statSync(path).size <= MAX_BYTES) {
      const bytes = readFileSync(path);
      if (!bytes.includes(0)) out.push(relative(ROOT, path));
    }
  }
  return out;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** The numbered headings of docs/protocol.md: `## 7. HTTP API` → 7, `### 7.2 ...` → 7.2. */
function headings(markdown: string): { number: string; depth: number; text: string }[] {
  return [...markdown.matchAll(/^(#{2,4}) (\d+(?:\.\d+)*)\.? .*$/gm)].map((m) => ({
    number: m[2] as string,
    depth: (m[1] as string).length - 1,
    text: m[0],
  }));
}

const protocol = readFileSync(join(ROOT, PROTOCOL), "utf8");
const files = textFiles(ROOT).filter((f) => f !== PROTOCOL && f !== THIS_FILE);

describe(PROTOCOL, () => {
  const numbered = headings(protocol);
  const numbers = numbered.map((h) => h.number);

  it("numbers its sections 1 to 9 in order, and each one's subsections from 1 in order", () => {
    for (const h of numbered) expect(h.number.split(".").length, `"${h.text}" is numbered at its heading's depth`).toBe(h.depth);
    expect(numbers.filter((n) => !n.includes("."))).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    for (const parent of numbers) {
      const children = numbers.filter((n) => n.startsWith(`${parent}.`) && n.split(".").length === parent.split(".").length + 1);
      expect(children, `the subsections of §${parent}`).toEqual(children.map((_, i) => `${parent}.${i + 1}`));
    }
  });

  it("refers only to its own sections that exist (RFC sections aside)", () => {
    const broken: Place[] = [];
    for (const m of protocol.matchAll(OWN_REFERENCE)) {
      if (m[1] === undefined && !numbers.includes(m[2] as string)) {
        broken.push({ file: PROTOCOL, line: lineOf(protocol, m.index), text: m[0] });
      }
    }
    expect(broken).toEqual([]);
  });

  it("has every section that the code and the docs cite", () => {
    const broken: Place[] = [];
    let cited = 0;
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const m of text.matchAll(CITATION)) {
        for (const n of (m[1] as string).matchAll(new RegExp(NUMBER, "g"))) {
          cited++;
          if (!numbers.includes(n[0])) broken.push({ file, line: lineOf(text, m.index), text: `${m[0]} (no §${n[0]})` });
        }
      }
    }
    expect(broken).toEqual([]);
    // the citations are there to be checked (this test cannot pass by finding none)
    expect(cited).toBeGreaterThan(50);
  });

  it("is the only name the protocol goes by: no citation of the old document remains", () => {
    const old: Place[] = [];
    for (const file of files) {
      const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
      lines.forEach((text, i) => {
        if (OLD_NAME.test(text)) old.push({ file, line: i + 1, text: text.trim().slice(0, 120) });
      });
    }
    expect(old, `cite the protocol as "${PROTOCOL} §N"`).toEqual([]);
  });
});
