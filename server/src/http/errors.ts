// The one error type. Thrown anywhere; turned into
// { "error": { "code", "message", "details"? } } by the one handler (error-handler.ts).
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const invalidRequest = (message = "The request is not valid.", details?: Record<string, unknown>) =>
  new AppError(400, "invalid_request", message, details);
export const unauthenticated = (message = "Sign in first: the token is missing, expired or not valid.") =>
  new AppError(401, "unauthenticated", message);
export const forbidden = (message = "You are not allowed to do this.", code = "forbidden", details?: Record<string, unknown>) =>
  new AppError(403, code, message, details);
/** 404; `message` when "The … does not exist." would not tell the user what to do. */
export const notFound = (what = "resource", message = `The ${what} does not exist.`) => new AppError(404, "not_found", message);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(409, code, message, details);
export const payloadTooLarge = (message = "The request body is too large.", details?: Record<string, unknown>) =>
  new AppError(413, "payload_too_large", message, details);
export const invalidAnswers = (message: string, details: Record<string, unknown>) =>
  new AppError(422, "invalid_answers", message, details);
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError(429, "rate_limited", "Too many requests: slow down and try again shortly.", { retryAfterSeconds }, {
    "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
export const unavailable = (message = "A backing service is unreachable; nothing was changed. Try again shortly.") =>
  new AppError(503, "unavailable", message);
