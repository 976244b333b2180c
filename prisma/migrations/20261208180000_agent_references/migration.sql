-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "modelId" TEXT,
ADD COLUMN     "promptId" TEXT,
ADD COLUMN     "promptVersion" INTEGER;

-- CreateTable
CREATE TABLE "AgentMcpServer" (
    "agentId" TEXT NOT NULL,
    "mcpServerId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "AgentMcpServer_pkey" PRIMARY KEY ("agentId","mcpServerId")
);

-- CreateIndex
CREATE INDEX "AgentMcpServer_mcpServerId_idx" ON "AgentMcpServer"("mcpServerId");

-- CreateIndex
CREATE INDEX "Agent_modelId_idx" ON "Agent"("modelId");

-- CreateIndex
CREATE INDEX "Agent_promptId_idx" ON "Agent"("promptId");

-- AddForeignKey
ALTER TABLE "Agent" ADD CONSTRAINT "Agent_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "LlmModel"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Agent" ADD CONSTRAINT "Agent_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentMcpServer" ADD CONSTRAINT "AgentMcpServer_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentMcpServer" ADD CONSTRAINT "AgentMcpServer_mcpServerId_fkey" FOREIGN KEY ("mcpServerId") REFERENCES "McpServer"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Agents configured before these columns named their model, prompt and MCP servers
-- by id in the free `config` (the demo's agent did: modelId, promptId). Ids of an
-- item of the agent's own org move to the columns and leave the config; anything
-- else (another org's id, a provider's model name, a pinned version) stays as it was.
UPDATE "Agent" a SET "modelId" = m."id", "config" = a."config" - 'modelId'
FROM "Project" p, "LlmModel" m
WHERE p."id" = a."projectId" AND jsonb_typeof(a."config" -> 'modelId') = 'string'
  AND m."id" = a."config" ->> 'modelId' AND m."orgId" = p."orgId";

UPDATE "Agent" a SET "promptId" = x."id", "config" = a."config" - 'promptId'
FROM "Project" p, "Prompt" x
WHERE p."id" = a."projectId" AND jsonb_typeof(a."config" -> 'promptId') = 'string'
  AND x."id" = a."config" ->> 'promptId' AND x."orgId" = p."orgId";

INSERT INTO "AgentMcpServer" ("agentId", "mcpServerId", "position")
SELECT a."id", s."id", (min(e.ord) - 1)::int
FROM "Agent" a
JOIN "Project" p ON p."id" = a."projectId"
CROSS JOIN LATERAL jsonb_array_elements(a."config" -> 'mcpServerIds') WITH ORDINALITY AS e(v, ord)
JOIN "McpServer" s ON jsonb_typeof(e.v) = 'string' AND s."id" = e.v #>> '{}' AND s."orgId" = p."orgId"
WHERE jsonb_typeof(a."config" -> 'mcpServerIds') = 'array'
GROUP BY a."id", s."id";

-- The list leaves the config only when every entry moved (no unknown id, no repeat).
UPDATE "Agent" a SET "config" = a."config" - 'mcpServerIds'
WHERE jsonb_typeof(a."config" -> 'mcpServerIds') = 'array'
  AND jsonb_array_length(a."config" -> 'mcpServerIds') = (SELECT count(*) FROM "AgentMcpServer" x WHERE x."agentId" = a."id");
