import pino, { type Logger } from "pino";

/** pino logs: pretty on a terminal, JSON lines otherwise. */
export function makeLogger(level = "info", name?: string): Logger {
  const base = { level, ...(name ? { name } : {}) };
  if (process.stdout.isTTY || process.env.TINYCHAIN_LOG_FORMAT === "pretty") {
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } },
    });
  }
  return pino(base);
}
