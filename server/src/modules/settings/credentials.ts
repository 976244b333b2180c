// Credentials for external services, one per type per org (the unique
// constraint decides between concurrent creates). The value is sealed at rest
// and only ever shown as "****abcd"; replacing it is an explicit PATCH.
import { z } from "zod";
import type { Credential } from "@prisma/client";
import { conflict } from "../../http/errors";
import { mask } from "../../infra/crypto";
import type { OrgItem } from "./item";
import { seal, secretInput } from "./secret";

/** The credential types we know. A new type is one more entry here. */
export const CREDENTIAL_TYPES = {
  huggingface: { label: "HuggingFace API token" },
} as const;
const type = z.enum(Object.keys(CREDENTIAL_TYPES) as [keyof typeof CREDENTIAL_TYPES]);

const createBody = z.strictObject({ type, value: secretInput });
const patchBody = z.strictObject({ value: secretInput });

const schema = z.object({
  id: z.string(),
  type,
  label: z.string(),
  masked: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

type Create = z.infer<typeof createBody>;
type Patch = z.infer<typeof patchBody>;

export const credentialsItem: OrgItem<Credential, Create, Patch, z.infer<typeof schema>> = {
  path: "credentials",
  noun: "credential",
  resource: "credential",
  tableName: "Credential",
  schema,
  createBody,
  patchBody,
  table: (db) => db.credential,
  toCreate: (b, deps) => {
    const s = seal(deps, b.value);
    return { type: b.type, valueEnc: s.enc, last4: s.last4 };
  },
  toUpdate: (b, _before, deps) => {
    const s = seal(deps, b.value);
    return { valueEnc: s.enc, last4: s.last4 };
  },
  view: (c) => ({
    id: c.id,
    type: c.type as keyof typeof CREDENTIAL_TYPES,
    label: CREDENTIAL_TYPES[c.type as keyof typeof CREDENTIAL_TYPES]?.label ?? c.type,
    masked: mask(c.last4)!,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  }),
  audit: (c) => ({ type: c.type }),
  onUnique: () =>
    conflict("credential_exists", "The organization already has a credential of this type: edit it or delete it first."),
  verbs: { update: "replace" },
  summaries: {
    create: "Add a credential (one per type per organization; a second answers 409 credential_exists)",
    update: "Replace a credential's value",
  },
};
