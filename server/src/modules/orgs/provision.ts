// Organizations are provisioned by the operator (npm run org:create), never by the public API.
import { randomBytes } from "node:crypto";
import { hashPassword } from "../../auth/passwords";
import type { Db } from "../../infra/prisma";

export interface ProvisionInput {
  name: string;
  ownerEmail: string;
  ownerPassword?: string;
  ownerName?: string;
}

export async function provisionOrg(db: Db, input: ProvisionInput) {
  const email = input.ownerEmail.toLowerCase();
  const generated = input.ownerPassword ? null : randomBytes(12).toString("base64url");
  const password = input.ownerPassword ?? generated!;
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email } });
    // An existing account keeps its password; a generated one is only for new accounts.
    const user = existing
      ? await tx.user.update({ where: { id: existing.id }, data: existing.passwordHash ? {} : { passwordHash } })
      : await tx.user.create({ data: { email, name: input.ownerName ?? email.split("@")[0]!, passwordHash } });
    const org = await tx.organization.create({ data: { name: input.name } });
    await tx.orgMember.create({ data: { orgId: org.id, userId: user.id, role: "admin" } });
    const passwordShown = existing?.passwordHash ? null : generated;
    return { org, user, generatedPassword: passwordShown, existingAccount: !!existing?.passwordHash };
  });
}
