import type { ErrorRequestHandler, RequestHandler } from "express";
import { Prisma } from "@prisma/client";
import type { Logger } from "../infra/logger";
import { AppError, invalidRequest, notFound, payloadTooLarge, unavailable } from "./errors";
import { isCommandTimeout } from "../infra/redis";

/** Maps anything thrown to an AppError. Unknown errors become a bare 500 with no internals. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; code?: string; name?: string; message?: string };
  // body-parser
  if (e?.type === "entity.parse.failed") return invalidRequest("The body is not valid JSON.");
  if (e?.type === "entity.too.large") return bodyTooLarge(err as { limit?: unknown; length?: unknown });
  if (e?.type === "encoding.unsupported" || e?.type === "charset.unsupported") return invalidRequest("Unsupported body encoding.");
  // A path with broken percent-encoding (`/api/projects/%E0%A4%A`): the router could not decode it.
  if (err instanceof URIError) return invalidRequest("The path is not valid: bad percent-encoding.");
  if (isUnavailable(err)) return unavailable();
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025") return notFound();
  // A transaction that ran out of its time (waiting on a lock behind a long import, an
  // archive, a delete) or never got one started: rolled back, nothing written; try again.
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2028")
    return unavailable("This took longer than it may (waiting for other changes to the same data); nothing was changed. Try again shortly.");
  // PostgreSQL text and jsonb cannot hold U+0000: refused as input, not a failure of ours.
  if (NUL_CODES.has(sqlState(err) ?? "")) return invalidRequest("Text may not contain the NUL character (\\u0000).");
  return new AppError(500, "internal", "Something went wrong on our side; it has been logged.");
}

/** body-parser's 413, with the route's limit (and the declared length, when the client gave one) so the caller knows what fits. */
function bodyTooLarge(e: { limit?: unknown; length?: unknown }): AppError {
  if (typeof e.limit !== "number") return payloadTooLarge();
  const details: Record<string, unknown> = { limitBytes: e.limit };
  if (typeof e.length === "number") details.receivedBytes = e.length;
  return payloadTooLarge(`The request body is too large: this route takes at most ${megabytes(e.limit)}.`, details);
}
const MB = 1024 * 1024;
const megabytes = (n: number) => `${Number.isInteger(n / MB) ? n / MB : (n / MB).toFixed(1)} MB`;

const NUL_CODES = new Set(["22021", "22P05"]);
/** PostgreSQL's SQLSTATE, however it reached us: pg itself, Prisma's driver adapter, or Prisma wrapping that. */
function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { originalCode?: string }; meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } };
  const wrapped = e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.cause?.originalCode;
  if (wrapped) return wrapped;
  // Prisma's own codes (P2010, …) look like SQLSTATEs: only pg's errors carry one in `code`.
  if (err instanceof Prisma.PrismaClientKnownRequestError) return undefined;
  return typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
}

/** Redis or PostgreSQL unreachable: the answer is 503 and nothing was half-written. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string; cause?: unknown };
  if (!e) return false;
  const msg = String(e.message ?? "");
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "57P01", "57P03", "08006", "08003", "08001"].includes(String(e.code))) return true;
  if (e.name === "MaxRetriesPerRequestError") return true;
  if (isCommandTimeout(err)) return true;
  if (/Stream isn't writeable|Connection is closed|Connection terminated|connect ECONNREFUSED|Can't reach database|timeout exceeded when trying to connect|terminating connection|is not queryable/i.test(msg)) return true;
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError && ["P1001", "P1002", "P1017", "P2024"].includes(err.code)) return true;
  if (e.cause && e.cause !== err) return isUnavailable(e.cause);
  return false;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) {
      (req.log ?? log).error({ err, code: appErr.code }, "request failed");
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(appErr.headers ?? {})) res.setHeader(k, v);
    res.status(appErr.status).json(appErr.toBody());
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError(404, "not_found", `No route ${req.method} ${req.path}.`));
};
