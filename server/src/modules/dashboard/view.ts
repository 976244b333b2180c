// The dashboard answer's shape (API.md), for the OpenAPI document. The service
// builds exactly these fields.
import { z } from "zod";
import { TIMEFRAMES } from "./timeframe";

const point = z.object({ t: z.string().describe("bucket start, ISO-8601 UTC"), v: z.number().nullable() });
const metric = z.object({
  value: z.number().nullable(),
  previous: z.number().nullable().describe("the previous period of the same length; null for timeframe=all"),
  series: z.array(point),
});

export const dashboardSchema = z.object({
  timeframe: z.enum(TIMEFRAMES),
  from: z.string(),
  to: z.string(),
  widgets: z.object({
    projects: z
      .object({
        count: z.number(),
        previous: z.number().nullable(),
        series: z.array(point),
        items: z.array(z.object({ id: z.string(), name: z.string(), status: z.enum(["active", "archived"]), contributors: z.number() })),
      })
      .optional()
      .describe("org dashboard only"),
    activity: z.object({ submissions: metric, completedTasks: metric, dailyActiveSubmitters: metric }),
    pipelineCompletion: z.object({ value: z.number().nullable(), completed: z.number(), total: z.number() }),
    engagement: z.object({ avgSubmissionsPerActiveContributor: metric, maxSubmissionsByContributor: metric }),
    firstReviewPassRate: metric,
    avgReviewsPerReviewNode: metric,
  }),
});

export const dashboardQuery = z.strictObject({ timeframe: z.enum(TIMEFRAMES).default("7d") });
