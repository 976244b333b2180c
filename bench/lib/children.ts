// Child processes a scenario controls: the real server (server-child.ts), the
// socket client swarm, the bare Socket.IO reference. Each runs under tsx with an
// IPC channel; `request` sends one message and waits for the answer of its type.
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import type { ServerChildStats } from "./server-child";


export interface Child {
  proc: ChildProcess;
  request<T = unknown>(msg: { type: string } & Record<string, unknown>, answerType?: string): Promise<T>;
  /** Resolves with the next message of this type. */
  next<T = unknown>(type: string): Promise<T>;
  stop(): Promise<void>;
}

export function startChild(script: string, env: Record<string, string>, opts: { execArgv?: string[]; quiet?: boolean } = {}): Child {
  // tsx as a loader of this very process (not its CLI, which would add a process between us).
  const proc = fork(path.resolve(import.meta.dirname, "..", script), [], {
    env: { ...process.env, ...env },
    execArgv: ["--import", "tsx", ...(opts.execArgv ?? [])],
    stdio: ["ignore", opts.quiet === false ? "inherit" : "ignore", "inherit", "ipc"],
  });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMsg = (m: { type: string }) => {
        if (m?.type !== type) return;
        cleanup();
        resolve(m as T);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`${script} exited (${code}) while we waited for '${type}'`));
      };
      const cleanup = () => {
        proc.off("message", onMsg);
        proc.off("exit", onExit);
      };
      proc.on("message", onMsg);
      proc.on("exit", onExit);
    });
  return {
    proc,
    next,
    request: <T>(msg: { type: string }, answerType?: string) => {
      const answer = next<T>(answerType ?? msg.type);
      proc.send(msg);
      return answer;
    },
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, "exit");
      proc.send({ type: "stop" });
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ServerChild extends Child {
  url: string;
  stats(): Promise<ServerChildStats>;
  resetStats(): Promise<void>;
}

/** The real server on a free port of 127.0.0.1, against the given services. */
export async function startServer(env: { REDIS_URL: string; DATABASE_URL: string } & Record<string, string>, execArgv?: string[]): Promise<ServerChild> {
  const child = startChild("lib/server-child.ts", { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info", ...env }, { execArgv });
  const { port } = await child.next<{ port: number }>("ready");
  return {
    ...child,
    url: `http://127.0.0.1:${port}`,
    stats: async () => (await child.request<{ stats: ServerChildStats }>({ type: "stats" })).stats,
    resetStats: async () => void (await child.request({ type: "stats-reset" })),
  };
}
