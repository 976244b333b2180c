import { pino, type Logger } from "pino";

export type { Logger };

/** Secrets never reach a log line: these paths are censored wherever they appear. */
const redact = [
  "req.headers.authorization",
  "req.headers.cookie",
  "*.password",
  "*.apiKey",
  "*.authToken",
  "*.value",
  "*.token",
  "*.key",
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: redact, censor: "[redacted]" } }, destination as never);
}
