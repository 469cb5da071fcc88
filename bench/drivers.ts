/**
 * 8. The store's SQLite drivers side by side. Ingest, full validation, sync and reopening are
 * measured again on each other driver this Node.js can run (TINYCHAIN_SQLITE, set for this
 * process's stores and inherited by the node processes it spawns); each figure is compared
 * with the same figure on this Node.js's default driver, measured earlier in the same run
 * (or here, when that section did not run). Node.js 22 runs both drivers; 20 only
 * better-sqlite3, 24 only node:sqlite (better-sqlite3 can abort the process there).
 */
import { availableDrivers, DRIVER_ENV, type DriverName, sqliteDriver } from "../src/store/driver.js";
import { benchIngest } from "./ingest.js";
import { benchReopen } from "./reopen.js";
import type { Figure } from "./report.js";
import { benchSync } from "./sync.js";
import { benchValidate } from "./validate.js";
import type { VerifyLimit } from "./verify.js";

const SECTION = "8. SQLite drivers";

/** The figures compared, by the section that makes them. */
const COMPARED: ReadonlyArray<{ ids: readonly string[]; run: (limit: () => Promise<VerifyLimit>) => Promise<Figure[]> }> = [
  { ids: ["ingest.single", "ingest.batch"], run: async (limit) => benchIngest(await limit()) },
  { ids: ["validate.parallel", "validate.connect_only"], run: async (limit) => benchValidate(await limit()) },
  { ids: ["sync.blocks_per_s"], run: async () => benchSync() },
  { ids: ["reopen.seconds"], run: async () => benchReopen() },
];

/** Runs `fn` with every store of this process and its children on `driver`. */
async function withDriver<T>(driver: DriverName, fn: () => Promise<T>): Promise<T> {
  const before = process.env[DRIVER_ENV];
  process.env[DRIVER_ENV] = driver;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[DRIVER_ENV];
    else process.env[DRIVER_ENV] = before;
  }
}

export async function benchDrivers(earlier: readonly Figure[], limit: () => Promise<VerifyLimit>): Promise<Figure[]> {
  const base = sqliteDriver().name;
  const others = availableDrivers().filter((d) => d !== base);
  if (others.length === 0) {
    process.stdout.write(
      `  only ${base} runs on Node.js ${process.versions.node}: nothing to compare (run the bench on Node.js 22 to see both)\n`,
    );
    return [];
  }
  const figures: Figure[] = [];
  for (const part of COMPARED) {
    let baseFigures = earlier.filter((f) => part.ids.includes(f.id));
    if (baseFigures.length < part.ids.length) {
      process.stdout.write(`  ${part.ids.join(", ")} on ${base} …\n`);
      baseFigures = await withDriver(base, () => part.run(limit));
    }
    for (const driver of others) {
      process.stdout.write(`  ${part.ids.join(", ")} on ${driver} …\n`);
      const measured = await withDriver(driver, () => part.run(limit));
      for (const id of part.ids) {
        const f = measured.find((m) => m.id === id);
        const b = baseFigures.find((m) => m.id === id);
        if (f === undefined || b === undefined) throw new Error(`figure ${id} was not measured`);
        figures.push({
          id: `drivers.${driver}.${id}`,
          section: SECTION,
          label: `${f.label}, ${driver}`,
          value: f.value,
          unit: f.unit,
          method: `as "${f.label}" (${base} there), with ${DRIVER_ENV}=${driver}: ${f.method}`,
          reference: { label: `${base}, the default here`, value: b.value, unit: b.unit, method: b.method },
          ratio: f.value / b.value,
          details: { driver, base, ...(f.details ?? {}) },
        });
      }
    }
  }
  return figures;
}
