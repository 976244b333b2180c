import { z } from "zod";
import type { ApiKey } from "@prisma/client";
import { KEY_PERMISSIONS } from "../../access/scope";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdById: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  scope: z.enum(["org", "project"]).describe("org: acts with its maker's rights in the org; project: only in projectId, only for its permissions"),
  projectId: z.string().nullable(),
  permissions: z.array(z.enum(KEY_PERMISSIONS)).nullable().describe("A project key's permissions; null for an org key"),
});
/** The create answer: the only time the whole key is ever shown. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });

/** Never the hash: a key goes out as its prefix only. */
export const apiKeyView = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  createdById: k.createdById,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
  scope: k.scope as "org" | "project",
  projectId: k.projectId,
  permissions: k.scope === "project" ? k.permissions : null,
});
