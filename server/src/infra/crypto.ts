// Secrets at rest: AES-256-GCM with a random 12-byte IV per value.
// Stored as "v1:<iv>:<tag>:<ciphertext>" (base64 parts).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export class SecretBox {
  private readonly key: Buffer;

  constructor(keyBase64: string) {
    const key = Buffer.from(keyBase64, "base64");
    if (key.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes, base64-encoded");
    this.key = key;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(":");
  }

  open(sealed: string): string {
    const [v, iv, tag, data] = sealed.split(":");
    if (v !== "v1" || !iv || !tag || data === undefined) throw new Error("Secret is not in a known format");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
      decipher.setAuthTag(Buffer.from(tag, "base64"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
    } catch {
      throw new Error("Secret could not be decrypted: wrong ENCRYPTION_KEY or tampered data");
    }
  }
}

/** "****abcd": the last four characters, never more. */
export function mask(last4: string | null | undefined): string | null {
  return last4 ? `****${last4}` : null;
}

export function last4(secret: string): string {
  return secret.slice(-4);
}
