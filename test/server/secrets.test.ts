// Secrets never leave: not in any answer of any settings route, not in the
// audit log, not in a log line. Sealed values fail loudly when tampered with,
// and a server with the wrong key (or none, in production) refuses to start.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { loadConfig } from "../../server/src/config";
import { SecretBox } from "../../server/src/infra/crypto";
import { checkEncryptionKey } from "../../server/src/infra/key-check";
import { createLogger } from "../../server/src/infra/logger";
import { migrate } from "../../server/src/infra/migrate";
import { createPrisma } from "../../server/src/infra/prisma";
import { prepareRuntime } from "../../server/src/infra/runtime";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client, type Res } from "../helpers/http";

const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _enc, cb) {
    logLines.push(chunk.toString());
    cb();
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logLevel: "debug", logDestination: logSink });
});
afterAll(() => t.close());

describe("secrets never leave", () => {
  it("no answer of any settings route and no log line carries a plaintext secret", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const org = `/api/orgs/${w.org.id}`;
    const secrets = {
      modelKey: "sk-PLAINTEXT-model-key-4242",
      modelKey2: "sk-PLAINTEXT-model-key-replaced-7373",
      mcpToken: "mcp-PLAINTEXT-token-5151",
      hf: "hf_PLAINTEXT_credential_6161",
      hf2: "hf_PLAINTEXT_credential_replaced_8181",
    };
    const answers: Res[] = [];
    const call = async (r: Promise<Res>) => {
      const res = await r;
      answers.push(res);
      return res;
    };

    const model = await call(admin.post(`${org}/models`, { name: "M", provider: "openai", modelId: "x", apiKey: secrets.modelKey }));
    const mcp = await call(
      admin.post(`${org}/mcp-servers`, { name: "S", url: "https://mcp.test", transport: "http", authToken: secrets.mcpToken }),
    );
    const cred = await call(admin.post(`${org}/credentials`, { type: "huggingface", value: secrets.hf }));
    expect([model.status, mcp.status, cred.status]).toEqual([201, 201, 201]);
    await call(admin.patch(`${org}/models/${model.body.id}`, { apiKey: secrets.modelKey2 }));
    await call(admin.patch(`${org}/credentials/${cred.body.id}`, { value: secrets.hf2 }));
    // Refused requests that carry a secret must not echo it either.
    await call(admin.post(`${org}/credentials`, { type: "huggingface", value: secrets.hf }));
    await call(admin.post(`${org}/models`, { name: "M", provider: "openai", modelId: "x", apiKey: secrets.modelKey, extra: 1 }));
    await call(admin.post(`${org}/credentials`, `{"type":"huggingface","value":"${secrets.hf}"`));
    const key = await admin.post(`${org}/api-keys`, { name: "ci" });
    expect(key.body.key).toMatch(/^pk_/);
    const viaKey = client(t.url, key.body.key);

    for (const item of ["models", "mcp-servers", "credentials", "api-keys"]) {
      const list = await call(admin.get(`${org}/${item}`));
      for (const i of list.body.items) await call(admin.get(`${org}/${item}/${i.id}`));
      await call(viaKey.get(`${org}/${item}`));
    }
    await call(admin.get(`${org}/audit-log?limit=200`));
    await call(admin.delete(`${org}/models/${model.body.id}`));
    await call(admin.delete(`${org}/credentials/${cred.body.id}`));
    await call(admin.get(`${org}/audit-log?limit=200`));

    const texts = answers.map((a) => a.text).join("\n");
    expect(texts).toContain("****4242"); // the masked form did go out…
    const logs = logLines.join("");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain(`${org}/credentials`); // …and requests were logged
    const plain = [...Object.values(secrets), key.body.key as string];
    for (const s of plain) {
      expect(texts.includes(s), `answer carries ${s}`).toBe(false);
      expect(logs.includes(s), `log carries ${s}`).toBe(false);
    }
    // The stored audit entries too.
    const audit = JSON.stringify(await t.deps.db.auditEntry.findMany({ where: { orgId: w.org.id } }));
    for (const s of plain) expect(audit.includes(s), `audit carries ${s}`).toBe(false);
    // The only place the API key ever appeared: its create answer.
    expect(key.text).toContain(key.body.key);
  });

  it("no log line carries an invitation link's token (it sets the invited account's password)", async () => {
    const w = await createWorld(t.deps);
    const inv = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/people`, { email: `invited-${randomBytes(4).toString("hex")}@test.local` });
    expect(inv.status).toBe(201);
    const token = inv.body.invitation.token as string;
    const before = logLines.length;
    expect((await client(t.url).get(`/api/auth/invitations/${token}`)).status).toBe(200);
    expect((await client(t.url).get(`/API/Auth/Invitations/${token}`)).status).toBe(200);
    // The web page the link opens (no web build here: a 404, still logged).
    await client(t.url).get(`/accept-invite?token=${token}`);
    expect((await client(t.url).post("/api/auth/accept-invite", { token, password: "a-good-password" })).status).toBe(200);
    const logs = logLines.slice(before).join("");
    expect(logs).toContain("/api/auth/invitations/[redacted]");
    expect(logs).toContain("/accept-invite?token=[redacted]");
    expect(logs.includes(token), "log carries the invitation token").toBe(false);
  });

  it("no log line carries a password reset link's token", async () => {
    const w = await createWorld(t.deps);
    const made = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/people/${w.member.id}/password-reset`);
    expect(made.status).toBe(201);
    const token = made.body.reset.token as string;
    const before = logLines.length;
    expect((await client(t.url).get(`/api/auth/password-resets/${token}`)).status).toBe(200);
    await client(t.url).get(`/reset-password?token=${token}`);
    expect((await client(t.url).post(`/API/Auth/Password-Resets/${token}`, { password: "a-good-password" })).status).toBe(200);
    const logs = logLines.slice(before).join("");
    expect(logs).toContain("/api/auth/password-resets/[redacted]");
    expect(logs).toContain("/reset-password?token=[redacted]");
    expect(logs.includes(token), "log carries the reset token").toBe(false);
  });
});

describe("sealed values", () => {
  const box = new SecretBox(randomBytes(32).toString("base64"));

  it("round-trips and never stores the plaintext", () => {
    const sealed = box.seal("hf_roundtrip_value");
    expect(sealed).not.toContain("hf_roundtrip");
    expect(box.open(sealed)).toBe("hf_roundtrip_value");
    expect(box.seal("same")).not.toBe(box.seal("same")); // a fresh IV each time
  });

  it("tampered ciphertext, tag or IV fails to decrypt with a clear error", () => {
    const [v, iv, tag, data] = box.seal("hf_tamper_me_value").split(":") as [string, string, string, string];
    const flip = (b64: string) => {
      const b = Buffer.from(b64, "base64");
      b[0]! ^= 1;
      return b.toString("base64");
    };
    for (const bad of [
      [v, iv, tag, flip(data)],
      [v, iv, flip(tag), data],
      [v, flip(iv), tag, data],
    ])
      expect(() => box.open(bad.join(":"))).toThrow("Secret could not be decrypted: wrong ENCRYPTION_KEY or tampered data");
    expect(() => box.open("garbage")).toThrow("Secret is not in a known format");
  });

  it("a value sealed under one key does not open under another", () => {
    const other = new SecretBox(randomBytes(32).toString("base64"));
    expect(() => other.open(box.seal("x"))).toThrow(/wrong ENCRYPTION_KEY or tampered data/);
    expect(() => new SecretBox(Buffer.alloc(16).toString("base64"))).toThrow(/32 bytes/);
  });
});

describe("encryption key at start", () => {
  it("a wrong key against a database sealed with another refuses to start", async () => {
    // Its own database: the canary is installation-wide.
    const base = inject("databaseUrl");
    const name = `pipelines_keycheck_${process.pid}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const db = createPrisma(url.toString(), 2);
    try {
      await migrate(url.toString());
      const right = new SecretBox(randomBytes(32).toString("base64"));
      await checkEncryptionKey(db, right); // first start: seals the canary
      await checkEncryptionKey(db, right); // same key: starts
      const wrong = new SecretBox(randomBytes(32).toString("base64"));
      await expect(checkEncryptionKey(db, wrong)).rejects.toThrow(/ENCRYPTION_KEY does not match.*refusing to start/);
    } finally {
      await db.$disconnect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it("production without ENCRYPTION_KEY refuses to start; development generates one and says so", async () => {
    const log = createLogger("silent");
    const dir = mkdtempSync(path.join(tmpdir(), "pipelines-keys-"));
    try {
      const env = { DATABASE_URL: inject("databaseUrl"), DATA_DIR: dir };
      await expect(
        prepareRuntime(loadConfig({ ...env, NODE_ENV: "production", JWT_SECRET: "a-long-enough-jwt-secret" }), log, { needRedis: false }),
      ).rejects.toThrow(/ENCRYPTION_KEY must be set/);
      const rt = await prepareRuntime(loadConfig({ ...env, NODE_ENV: "development" }), log, { needRedis: false });
      await rt.stop();
      expect(rt.notes.join("\n")).toMatch(/ENCRYPTION_KEY not set: using the one generated in/);
      const stored = JSON.parse(readFileSync(path.join(dir, "secrets.json"), "utf8")) as { encryptionKey: string };
      expect(stored.encryptionKey).toBe(rt.encryptionKey);
      expect(Buffer.from(rt.encryptionKey, "base64")).toHaveLength(32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
