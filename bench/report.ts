/** Figures, their references and targets: the printed table and bench/results.json. */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from "node:os";
import { dirname } from "node:path";
import { sqliteDriver } from "../src/store/driver.js";

export interface Reference {
  label: string;
  value: number;
  unit: string;
  method: string;
}

export interface Target {
  /** e.g. "≥ 70 % of the reference". */
  text: string;
  met: boolean;
  /** How far from the target, in words ("short by 12 points"), when missed. */
  gap?: string;
}

export interface Figure {
  id: string;
  section: string;
  label: string;
  value: number;
  unit: string;
  method: string;
  reference?: Reference;
  /** value ÷ reference value, when they are comparable. */
  ratio?: number;
  target?: Target;
  /** Extra numbers worth keeping (counts, errors, settings). */
  details?: Record<string, unknown>;
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  /** The SQLite driver (and SQLite version) the run's stores use by default. */
  sqlite: string;
  os: string;
  memory_gib: number;
  date: string;
  /** 1-minute load average before and after the run: other work on the machine skews every figure. */
  load_average_start: number;
  load_average_end?: number;
}

export function machineInfo(): Machine {
  const driver = sqliteDriver();
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    node: process.version,
    sqlite: `${driver.name} (SQLite ${driver.sqliteVersion})`,
    os: `${platform()} ${release()}`,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
    load_average_start: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The item of median `key` (the middle one of an odd count, the upper middle of an even one). */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  if (items.length === 0) throw new Error("median of nothing");
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)] as T;
}

/** A number for people: 3 significant digits, thousands grouped. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** The table printed at the end of a run. */
export function table(figures: Figure[]): string {
  const rows: string[][] = [["#", "figure", "value", "reference (same run)", "ratio", "target"]];
  for (const [i, f] of figures.entries()) {
    rows.push([
      String(i + 1),
      f.label,
      `${fmt(f.value)} ${f.unit}`,
      f.reference ? `${fmt(f.reference.value)} ${f.reference.unit} (${f.reference.label})` : "",
      f.ratio !== undefined ? pct(f.ratio) : "",
      f.target ? `${f.target.met ? "met" : "NOT met"}: ${f.target.text}${f.target.gap ? ` (${f.target.gap})` : ""}` : "",
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.min(60, Math.max(...rows.map((r) => (r[i] ?? "").length)))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines.join("\n");
}

/** The method of every figure (and of its reference), numbered like the table's rows. */
export function methods(figures: Figure[]): string {
  return figures
    .map((f, i) => `${i + 1}. ${f.label}: ${f.method}${f.reference ? `\n   reference (${f.reference.label}): ${f.reference.method}` : ""}`)
    .join("\n");
}

export interface Results {
  machine: Machine;
  pow_implementation: string;
  runtime_s: number;
  figures: Figure[];
  errors: Array<{ section: string; error: string }>;
}

/** Writes the results atomically (temp file, then rename). */
export function writeResults(path: string, results: Results): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, path);
}

/** A target "value ≥ goal" with the gap in words when it is missed. */
export function atLeast(value: number, goal: number, text: string, unit = ""): Target {
  const met = value >= goal;
  return met ? { text, met } : { text, met, gap: `short by ${fmt(goal - value)}${unit}` };
}

/** A target "value ≤ goal". */
export function atMost(value: number, goal: number, text: string, unit = ""): Target {
  const met = value <= goal;
  return met ? { text, met } : { text, met, gap: `over by ${fmt(value - goal)}${unit}` };
}
