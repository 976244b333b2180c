import { z } from "zod";
import type { Actor } from "../../access/actor";
import { standingIn } from "../../access/roles";

export const projectSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(["active", "archived"]),
  createdAt: z.string(),
  updatedAt: z.string(),
  myRole: z.enum(["admin", "owner", "viewer", "contributor"]).nullable(),
});

type Row = { id: string; orgId: string; name: string; description: string; status: string; createdAt: Date; updatedAt: Date };

export const projectView = (p: Row, actor: Actor) => ({
  id: p.id,
  orgId: p.orgId,
  name: p.name,
  description: p.description,
  status: p.status as "active" | "archived",
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
  myRole: standingIn(actor, p),
});
