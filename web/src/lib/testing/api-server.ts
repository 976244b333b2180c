/// <reference types="node" />
// Web tests run against a real local HTTP server answering as the API does: one
// per test file (or describe block), started before its tests with the API client
// pointed at it, stopped after them. Each request reaches `answer` with its whole
// body read.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll } from "vitest";
import { api } from "../api/client";

export type ApiRequest = IncomingMessage & { body: string };
/** Answers with `body` as JSON (nothing when undefined). */
export type Send = (status: number, body?: unknown) => void;

/** What the API answers for a route it does not have. */
export const NOT_FOUND = { error: { code: "not_found", message: "No." } };

export function apiServer(answer: (req: ApiRequest, send: Send) => void): void {
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c));
      req.on("end", () =>
        answer(Object.assign(req, { body }), (status, v) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(v === undefined ? undefined : JSON.stringify(v));
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    api.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    api.base = "";
    return new Promise<void>((r) => server.close(() => r()));
  });
}
