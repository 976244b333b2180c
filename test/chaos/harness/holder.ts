// A client in its own process, so a scenario can freeze it (SIGSTOP) like a
// laptop lid closed or a long GC pause. It claims a task, then either keeps its
// claim alive with heartbeats ("heartbeat") or waits and submits ("submit"),
// printing one JSON line per answer. Run: node --import tsx holder.ts <json args>
export {};

const args = JSON.parse(process.argv[2]!) as { base: string; projectId: string; nodeId: string; token: string; mode: "heartbeat" | "submit"; everyMs: number };

async function call(method: string, path: string, body: unknown) {
  const send = () =>
    fetch(args.base + path, { method, headers: { authorization: `Bearer ${args.token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  // After a freeze the pooled keep-alive socket is one the server closed meanwhile:
  // the request never left, so send it again on a new connection (as browsers do).
  const r = await send().catch(() => send());
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

const say = (event: string, data: unknown) => process.stdout.write(JSON.stringify({ event, ...(data as object) }) + "\n");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const c = await call("POST", `/api/projects/${args.projectId}/claims`, { nodeId: args.nodeId });
say("claimed", { status: c.status, claim: c.body?.claim ?? null });
if (c.status !== 201) process.exit(1);
const { id, token } = c.body.claim as { id: string; token: string };

for (;;) {
  await sleep(args.everyMs);
  if (args.mode === "heartbeat") {
    const h = await call("POST", `/api/claims/${id}/heartbeat`, { token });
    say("heartbeat", { status: h.status, code: h.body?.error?.code });
    if (h.status === 200) continue;
  }
  // Unaware it was frozen: submits as if nothing happened.
  const s = await call("POST", `/api/claims/${id}/submit`, { token, answers: { score: 1 } });
  say("submitted", { status: s.status, code: s.body?.error?.code });
  process.exit(0);
}
