import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import path from "node:path";

const api = process.env.PIPELINES_API ?? "http://localhost:3000";

export default defineConfig({
  root: path.resolve(import.meta.dirname),
  plugins: [svelte()],
  resolve: { alias: { $lib: path.resolve(import.meta.dirname, "src/lib"), $shared: path.resolve(import.meta.dirname, "../server/src/shared") } },
  build: { outDir: path.resolve(import.meta.dirname, "dist"), emptyOutDir: true },
  server: {
    proxy: {
      "/api": api,
      "/socket.io": { target: api, ws: true },
      "/healthz": api,
      "/readyz": api,
    },
  },
});
