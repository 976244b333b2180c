// Proves at start that ENCRYPTION_KEY opens what was sealed before: a wrong key
// refuses to start instead of failing later on every secret.
import type { SecretBox } from "./crypto";
import type { Db } from "./prisma";

const KEY = "encryption_canary";
const PLAIN = "pipelines-canary-v1";

export async function checkEncryptionKey(db: Db, box: SecretBox): Promise<void> {
  // Instances starting together on a new database race to seal the canary (a
  // read-then-upsert let the loser fail on the unique key and not start, found by
  // the chaos suite): the first insert wins, and every instance checks the winner's.
  await db.systemSetting.createMany({ data: [{ key: KEY, value: box.seal(PLAIN) }], skipDuplicates: true });
  const row = await db.systemSetting.findUniqueOrThrow({ where: { key: KEY } });
  let ok = false;
  try {
    ok = box.open(row.value) === PLAIN;
  } catch {
    ok = false;
  }
  if (!ok)
    throw new Error("ENCRYPTION_KEY does not match the key this database's secrets were sealed with: refusing to start.");
}
