// Secrets that come in through settings (model API keys, MCP auth tokens,
// credentials) are sealed at once and only ever go out masked.
import { z } from "zod";
import type { Deps } from "../../deps";
import { invalidRequest } from "../../http/errors";
import { last4 } from "../../infra/crypto";

/** Long enough that the last four characters shown masked are a small part of it. */
export const secretInput = z.string().trim().min(8, "A secret has at least 8 characters").max(4096);

/**
 * An http(s) URL with no user name or password in it: a URL is stored and shown
 * as it is (answers, audit log), so a secret belongs in the sealed key or token.
 */
export const httpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine((u) => URL.canParse(u) && !new URL(u).username && !new URL(u).password, {
    message: "A URL may not carry a user name or password: give the secret as the key or token, which is stored sealed",
  });

/**
 * A stored secret goes only where it was given for: a patch that moves it (another
 * URL, or another provider behind the default URL) must give it again or drop it,
 * so whoever may edit settings cannot send the org's key to a host of their own.
 */
export function secretMustFollow(moved: boolean, stored: boolean, given: unknown, field: string, what: string) {
  if (moved && stored && given === undefined)
    throw invalidRequest(`Changing the ${what} needs the ${field === "apiKey" ? "API key" : "token"} again (or null to remove it).`, {
      issues: [{ in: "body", path: field, message: `Give the key again for the new ${what}, or remove it` }],
    });
}

export function seal(deps: Deps, plain: string) {
  return { enc: deps.secrets.seal(plain), last4: last4(plain) };
}

/**
 * Row fields for an optional secret in a patch: a string replaces it, null
 * removes it, absent leaves it as it was.
 */
export function patchSecret(deps: Deps, plain: string | null | undefined, encField: string, last4Field: string) {
  if (plain === undefined) return {};
  if (plain === null) return { [encField]: null, [last4Field]: null };
  const s = seal(deps, plain);
  return { [encField]: s.enc, [last4Field]: s.last4 };
}
