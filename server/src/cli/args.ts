// Operator commands read their flags through one zod schema: on bad flags they print
// every problem and the usage line, and exit 2 (before touching any database).
import type { ZodType } from "zod";

export function argsOrExit<T>(schema: ZodType<T>, values: unknown, usage: string): T {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  console.error(`${parsed.error.issues.map((i) => i.message).join("\n")}\n${usage}`);
  process.exit(2);
}
