/**
 * How the CLI answers a usage mistake: the error on one line and where the help is, not the
 * whole help; the version; and options people reach for under another name.
 */
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";

/** The version in package.json (src/cli and dist/cli are both two levels below it). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Every command, after an error, points at its own help instead of printing it. */
export function shortUsageErrors(root: Command): void {
  const visit = (cmd: Command): void => {
    cmd.showHelpAfterError(`(see \`${fullName(cmd)} --help\`)`);
    for (const sub of cmd.commands) visit(sub);
  };
  visit(root);
}

/**
 * A hidden option under a name people try (`devnet --port`) that fails with the right name
 * (commander's own suggestion goes by spelling, and `--port` is closer to `--host`).
 */
export function misnamedOption(cmd: Command, wrong: string, right: string): Command {
  const attr = wrong.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return cmd.addOption(new Option(`${wrong} [value]`).hideHelp()).hook("preAction", (_this, action) => {
    if (action.getOptionValue(attr) !== undefined) action.error(`error: unknown option '${wrong}'\n(Did you mean ${right}?)`);
  });
}
