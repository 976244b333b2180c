-- The stabbing index keyed by an integer hash of the scope instead of its text id:
-- a GiST index compares its keys on every page it visits, and integers compare
-- far faster than text ids. Measured at 1M submissions: each stabbing scan 2-3x
-- faster, the index built ~4x faster. Readers also check "scopeId" (kept in the
-- index), so two scopes sharing a hash only cost a few extra index rows.
ALTER TABLE "StatUserHour" ADD COLUMN "scopeKey" integer GENERATED ALWAYS AS (hashtext("scopeId")) STORED;
DROP INDEX "StatUserHour_scope_span_idx";
CREATE INDEX "StatUserHour_scope_span_idx" ON "StatUserHour" USING gist ("scopeKey", "span") INCLUDE ("scopeId", "userId", "cum");
