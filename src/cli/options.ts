import { InvalidArgumentError } from "commander";
import { parseAllowHosts } from "../http/auth.js";

/** A commander parser for an integer option within [min, max]. */
export function intOption(min: number, max: number) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}`);
    return n;
  };
}

/** A commander parser for --allow-host NAME,... (repeatable): every name given so far. */
export function allowHostOption(value: string, previous: string[] | undefined): string[] {
  try {
    return [...(previous ?? []), ...parseAllowHosts(value)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^--allow-host: /, ""));
  }
}
