import { z } from "zod";
import type { AuditEntry } from "@prisma/client";

export const auditEntrySchema = z.object({
  id: z.string(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  actor: z.object({ userId: z.string().nullable(), name: z.string().nullable(), apiKeyId: z.string().nullable() }),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  createdAt: z.string(),
});

/** `before`/`after` were scrubbed of secrets when recorded (record.ts). */
export const auditEntryView = (e: AuditEntry, names: Map<string, string>) => ({
  id: e.id,
  action: e.action,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  actor: { userId: e.actorUserId, name: e.actorUserId ? (names.get(e.actorUserId) ?? null) : null, apiKeyId: e.actorKeyId },
  before: e.before ?? null,
  after: e.after ?? null,
  createdAt: e.createdAt.toISOString(),
});
