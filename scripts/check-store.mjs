#!/usr/bin/env node
// Says at install which SQLite driver tinychain will use on this Node.js, and what to do when
// there is none (Node.js 20 without a built better-sqlite3, an optional dependency whose failed
// build npm skips silently). Never fails the install.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const driverJs = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "store", "driver.js");
if (existsSync(driverJs)) {
  try {
    const { sqliteDriver } = await import(driverJs);
    const d = sqliteDriver();
    console.log(`store: ${d.name} (SQLite ${d.sqliteVersion})`);
  } catch (err) {
    console.log(`store: NO SQLite driver, tinychain node will not start: ${err.message}`);
  }
}
