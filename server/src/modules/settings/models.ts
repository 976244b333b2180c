// Models: custom LLMs with bring-your-own-key (the key sealed at rest, shown masked).
import { z } from "zod";
import type { LlmModel } from "@prisma/client";
import { mask } from "../../infra/crypto";
import { agentsUsingModel } from "../agents/usage";
import type { OrgItem } from "./item";
import { httpUrl, patchSecret, secretInput, secretMustFollow } from "./secret";

const fields = {
  name: z.string().trim().min(1).max(200),
  provider: z.string().trim().min(1).max(100),
  modelId: z.string().trim().min(1).max(200),
  baseUrl: httpUrl,
};

const createBody = z.strictObject({
  name: fields.name,
  provider: fields.provider,
  modelId: fields.modelId,
  baseUrl: fields.baseUrl.nullish(),
  apiKey: secretInput.nullish(),
});
const patchBody = z.strictObject({
  name: fields.name.optional(),
  provider: fields.provider.optional(),
  modelId: fields.modelId.optional(),
  baseUrl: fields.baseUrl.nullish(),
  /** A string replaces the key, null removes it. */
  apiKey: secretInput.nullish(),
});

const schema = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  modelId: z.string(),
  baseUrl: z.string().nullable(),
  apiKeyMasked: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

type Create = z.infer<typeof createBody>;
type Patch = z.infer<typeof patchBody>;

export const modelsItem: OrgItem<LlmModel, Create, Patch, z.infer<typeof schema>> = {
  path: "models",
  noun: "model",
  resource: "model",
  tableName: "LlmModel",
  schema,
  createBody,
  patchBody,
  summaries: {
    update: "Edit a model (Org Admins); changing its base URL or provider needs the API key again, or `apiKey: null`",
    delete: "Delete a model (Org Admins); agents that use it are left without a model (the audit entry names them)",
  },
  table: (db) => db.llmModel,
  toCreate: (b, deps) => ({
    name: b.name,
    provider: b.provider,
    modelId: b.modelId,
    baseUrl: b.baseUrl ?? null,
    ...patchSecret(deps, b.apiKey ?? undefined, "apiKeyEnc", "apiKeyLast4"),
  }),
  toUpdate: (b, before, deps) => {
    const moved = (b.baseUrl !== undefined && (b.baseUrl ?? null) !== before.baseUrl) || (b.provider !== undefined && b.provider !== before.provider);
    secretMustFollow(moved, !!before.apiKeyEnc, b.apiKey, "apiKey", "base URL or provider");
    return {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.provider !== undefined ? { provider: b.provider } : {}),
      ...(b.modelId !== undefined ? { modelId: b.modelId } : {}),
      ...(b.baseUrl !== undefined ? { baseUrl: b.baseUrl } : {}),
      ...patchSecret(deps, b.apiKey, "apiKeyEnc", "apiKeyLast4"),
    };
  },
  view: (m) => ({
    id: m.id,
    name: m.name,
    provider: m.provider,
    modelId: m.modelId,
    baseUrl: m.baseUrl,
    apiKeyMasked: mask(m.apiKeyLast4),
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  }),
  // Agents that use it lose it (see agents/usage.ts); the audit entry names them.
  onDelete: agentsUsingModel,
  // The audit keeps whether a key is set, never any part of it.
  audit: (m) => ({ name: m.name, provider: m.provider, modelId: m.modelId, baseUrl: m.baseUrl, hasKey: m.apiKeyEnc !== null }),
};
