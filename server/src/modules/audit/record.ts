// Every admin write leaves an audit entry in the same transaction as the write.
// Secrets never enter it: fields that look secret are dropped before storing.
import type { Actor } from "../../access/actor";
import type { Tx } from "../../infra/prisma";

const SECRET = /password|apikey|authtoken|secret|token|hash|enc$|^value$|^key$/i;

export function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET.test(k)) out[k] = scrub(v);
    return out;
  }
  return value;
}

export interface AuditInput {
  orgId: string;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** `actor` is whoever acted: a signed-in person or key, or (userId null) the operator's command line. */
export async function recordAudit(tx: Tx, actor: Pick<Actor, "apiKey"> & { userId: string | null }, e: AuditInput): Promise<void> {
  await tx.auditEntry.create({
    data: {
      orgId: e.orgId,
      actorUserId: actor.userId,
      actorKeyId: actor.apiKey?.id ?? null,
      action: e.action,
      resourceType: e.resourceType,
      resourceId: e.resourceId ?? null,
      before: e.before === undefined ? undefined : (scrub(e.before) as object),
      after: e.after === undefined ? undefined : (scrub(e.after) as object),
    },
  });
}
