-- An invitation is accepted before it grants anything: a person invited into an
-- organization is a member with "joinedAt" null (listed as invited, no rights
-- there) until they accept the link. Before, an account that already existed
-- (a member of another organization) was added with its rights at once,
-- without its holder's consent, and the answer told the inviter it existed.

-- AlterTable
ALTER TABLE "OrgMember" ADD COLUMN     "joinedAt" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP;

-- Members so far: those who can sign in joined when they were added; the
-- others are still invited (they accept by choosing a password, as before).
UPDATE "OrgMember" m SET "joinedAt" = m."createdAt" FROM "User" u WHERE u.id = m."userId" AND u."passwordHash" IS NOT NULL;
UPDATE "OrgMember" m SET "joinedAt" = NULL FROM "User" u WHERE u.id = m."userId" AND u."passwordHash" IS NULL;
