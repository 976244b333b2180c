// Idle keep-alive connections stay open for HTTP_KEEP_ALIVE_SECONDS (65 s by
// default, above a load balancer's 60 s idle timeout), and close after it.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";

let standard: TestApp;
let short: TestApp;
beforeAll(async () => {
  standard = await startTestApp();
  short = await startTestApp({ config: { HTTP_KEEP_ALIVE_SECONDS: 1 } });
});
afterAll(async () => {
  await standard.close();
  await short.close();
});

/** A raw connection that sends GET /healthz and resolves with each whole answer's head. */
function connect(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), "127.0.0.1");
  let buffer = "";
  let waiting: ((head: string) => void) | null = null;
  let closedAt: number | null = null;
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    const end = buffer.indexOf("\r\n\r\n");
    const length = Number(/content-length: (\d+)/i.exec(buffer)?.[1] ?? NaN);
    if (end >= 0 && buffer.length >= end + 4 + length && waiting) {
      const head = buffer.slice(0, end);
      buffer = buffer.slice(end + 4 + length);
      waiting(head);
      waiting = null;
    }
  });
  socket.on("close", () => (closedAt = performance.now()));
  return {
    get: () =>
      new Promise<string>((resolve) => {
        waiting = resolve;
        socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
      }),
    closedAt: () => closedAt,
    end: () => socket.destroy(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("keep-alive", () => {
  it("keeps an idle connection open and answers on it again", async () => {
    const c = connect(standard.url);
    const first = await c.get();
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(first).toMatch(/keep-alive: timeout=65/i);
    await sleep(2_500);
    expect(c.closedAt()).toBeNull();
    expect(await c.get()).toMatch(/^HTTP\/1\.1 200/);
    c.end();
  });

  it("closes an idle connection once HTTP_KEEP_ALIVE_SECONDS have passed", async () => {
    const c = connect(short.url);
    const started = performance.now();
    expect(await c.get()).toMatch(/keep-alive: timeout=1/i);
    for (let i = 0; i < 50 && c.closedAt() === null; i++) await sleep(100);
    expect(c.closedAt()).not.toBeNull();
    expect(c.closedAt()! - started).toBeGreaterThanOrEqual(900);
  });
});
