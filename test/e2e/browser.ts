// End-to-end support: the web client built once, the real app serving it
// (real PostgreSQL and Redis, workers on), Debian's Chromium driven by
// playwright-core, pages signed in through the client's own storage, console
// errors collected, and screenshots kept under test-results/ (not committed).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";

const root = path.resolve(import.meta.dirname, "../..");
const WEB_OUT = path.join(root, "test-results/e2e-web");
const SHOTS = path.join(root, "test-results/e2e");

function newest(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

/** Builds the client into test-results/e2e-web unless that build is newer than every source. */
export function buildWeb(): string {
  const index = path.join(WEB_OUT, "index.html");
  const sources = Math.max(...["web/src", "web/public", "web/index.html", "web/vite.config.ts", "server/src/shared"].map((p) => newest(path.join(root, p))));
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    execFileSync(process.execPath, [path.join(root, "node_modules/vite/bin/vite.js"), "build", "--config", "web/vite.config.ts", "--outDir", WEB_OUT, "--emptyOutDir", "--logLevel", "warn"], {
      cwd: root,
      stdio: "inherit",
    });
  }
  return WEB_OUT;
}

export async function startE2eApp(): Promise<TestApp> {
  return startTestApp({ webDist: buildWeb(), workers: true });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen on the page. */
  errors: string[];
  /** Errors this tab may show (a refusal its test provokes): not counted at the end (suite.ts). */
  allow?: RegExp;
}

export interface OpenOptions {
  /** Lets the test inject scripts (axe) into pages whose CSP would refuse them. */
  bypassCSP?: boolean;
  /** Signs in by handing the client a token, as a reload after sign-in would. */
  token?: string;
  viewport?: { width: number; height: number };
  permissions?: string[];
  initScript?: string;
}

export async function openTab(browser: Browser, baseUrl: string, pathname: string, opts: OpenOptions = {}): Promise<Tab> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: opts.viewport ?? { width: 1366, height: 900 }, bypassCSP: opts.bypassCSP ?? false });
  if (opts.permissions) await context.grantPermissions(opts.permissions, { origin: baseUrl });
  if (opts.token) await context.addInitScript((t: string) => localStorage.setItem("pipelines.token", t), opts.token);
  if (opts.initScript) await context.addInitScript(opts.initScript);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(pathname);
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string, copyTo?: string, fullPage = false): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  // README pictures are committed: written when missing or asked for (UPDATE_SCREENSHOTS=1).
  if (copyTo && (!existsSync(path.join(root, copyTo)) || process.env.UPDATE_SCREENSHOTS === "1")) {
    const dest = path.join(root, copyTo);
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
}

/** The number shown in an element (counts, counters). */
export async function numberIn(page: Page, selector: string): Promise<number> {
  const text = (await page.locator(selector).first().textContent()) ?? "";
  return Number(text.replace(/[^\d.-]/g, ""));
}

/** For afterEach: a failed test leaves a picture of every open tab (test-results/e2e/failed-*.png). */
export async function shotsOnFailure(ctx: { task: { name: string; result?: { state?: string } } }, tabs: Tab[]): Promise<void> {
  if (ctx.task.result?.state !== "fail") return;
  const slug = ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  for (const [i, tab] of tabs.entries()) {
    if (tab.page.isClosed()) continue;
    await screenshot(tab.page, `failed-${slug}-${i}`).catch(() => {});
    console.error(`[e2e] tab ${i} at ${tab.page.url()}; errors: ${JSON.stringify(tab.errors)}`);
  }
}

/** Waits for a live value (a count moving, a counter ticking): polled, up to 15 s on a slow machine. */
export const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's WCAG 2 A/AA checks on the page as it is now. */
export async function a11yViolations(page: Page): Promise<A11yViolation[]> {
  const source = readFileSync(path.join(root, "node_modules/axe-core/axe.min.js"), "utf8");
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
}
