// Global setup of the chaos project: the run's PostgreSQL and Redis (the same
// as the server tests: test/setup/global.ts), and at the end the merged summary.
import type { TestProject } from "vitest/node";
import setupServices from "../../setup/global";
import { clearScenarioRecords, PROFILE, writeSummary } from "./summary";

export default async function setup(project: TestProject) {
  clearScenarioRecords();
  const teardown = await setupServices(project);
  const started = Date.now();
  return async () => {
    writeSummary({ seconds: Math.round((Date.now() - started) / 1000), node: process.version, profile: PROFILE });
    await teardown();
  };
}
