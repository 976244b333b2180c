// Builds the web client when web/dist is missing or older than its sources,
// so `npm start` serves a current client without rebuilding every time.
import { existsSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "web/dist/index.html");

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(
  newest(path.join(root, "web/src")),
  existsSync(path.join(root, "web/public")) ? newest(path.join(root, "web/public")) : 0,
  statSync(path.join(root, "web/index.html")).mtimeMs,
  newest(path.join(root, "server/src/shared")),
);
if (!existsSync(dist) || statSync(dist).mtimeMs < sources) {
  console.log("Building the web client…");
  execFileSync(process.execPath, [path.join(root, "node_modules/vite/bin/vite.js"), "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], {
    cwd: root,
    stdio: "inherit",
  });
}
