// 100,000 tasks export in constant memory: the test consumes the stream and,
// every few megabytes, collects garbage and samples the live heap of this
// process (the server runs in it). Buffering the export — as a string it is
// several times the ceiling — would break the ceiling; streaming stays flat.
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { seedManyTasks, seedPipeline } from "../helpers/seed-data";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const ROWS = 100_000;
const HEAP_CEILING = 64 * 1024 * 1024; // growth over the baseline, in bytes

let t: TestApp;
let url = "";
let token = "";
beforeAll(async () => {
  t = await startTestApp();
  const w = await createWorld(t.deps);
  const p = await seedPipeline(t.deps, w.project);
  await seedManyTasks(t.deps, w.project, p, w.contributor.id, ROWS, 1000);
  url = `${t.url}/api/projects/${w.project.id}/export`;
  token = w.owner.token;
}, 180_000);
afterAll(() => t.close());

async function measure(format: "csv" | "jsonl") {
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const res = await fetch(`${url}?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let bytes = 0;
  let newlines = 0;
  let nextSample = 0;
  let peak = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) newlines++;
    if (bytes >= nextSample) {
      nextSample = bytes + 4 * 1024 * 1024;
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    }
  }
  return { bytes, newlines, peak };
}

describe("export of 100k rows", () => {
  it("JSONL streams in constant memory", async () => {
    const m = await measure("jsonl");
    expect(m.newlines).toBe(ROWS);
    // The whole export as one JS string would be ~2 bytes per character: far above the ceiling.
    expect(m.bytes * 2).toBeGreaterThan(HEAP_CEILING * 2);
    expect(m.peak).toBeLessThan(HEAP_CEILING);
    console.log(`jsonl: ${(m.bytes / 1e6).toFixed(1)} MB streamed, peak live heap growth ${(m.peak / 1e6).toFixed(1)} MB`);
  }, 180_000);

  it("CSV streams in constant memory", async () => {
    const m = await measure("csv");
    expect(m.newlines).toBe(ROWS + 1);
    expect(m.bytes * 2).toBeGreaterThan(HEAP_CEILING * 2);
    expect(m.peak).toBeLessThan(HEAP_CEILING);
    console.log(`csv: ${(m.bytes / 1e6).toFixed(1)} MB streamed, peak live heap growth ${(m.peak / 1e6).toFixed(1)} MB`);
  }, 180_000);
});
