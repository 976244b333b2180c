// `npm run dev`: the API server (restarted on change by tsx watch) and the Vite
// dev server with hot reload for the web client, proxying /api and /socket.io
// to the API. Open the Vite URL it prints. Ctrl+C stops both.
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const apiPort = process.env.PORT ?? "3000";
const webPort = process.env.WEB_PORT ?? "5173";
const bin = (name) => path.join(root, "node_modules/.bin", name);

const children = [
  spawn(bin("tsx"), ["watch", "--clear-screen=false", "server/src/main.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PORT: apiPort },
  }),
  spawn(bin("vite"), ["--config", "web/vite.config.ts", "--port", webPort, "--strictPort"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PIPELINES_API: `http://localhost:${apiPort}` },
  }),
];

let stopping = false;
let exitCode = 0;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  // The server stops its embedded services on SIGTERM: give it time to.
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  setTimeout(() => process.exit(exitCode), 10_000).unref();
}
for (const c of children)
  c.on("exit", (code) => {
    stop(code ?? 0);
    if (children.every((x) => x.exitCode !== null || x.signalCode !== null)) process.exit(exitCode);
  });
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
