/**
 * GET /patterns: the log templates the workers have mined, most recently seen first. The source of
 * truth is the workers' pattern catalogue in Redis (not an Elasticsearch aggregation over
 * processed_logs): it is what decided which templates were new, its first sightings outlive the
 * 30-day retention of normal logs, and a page costs a sorted-set range, not a scan of every log.
 */
import { z } from "zod";
import { AppError, decodePatternCursor } from "@soc/shared";
import { defineRoute } from "./route.ts";

export const patternQuerySchema = z.object({
  source: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe("Only this log source's templates (the `source` of the logs)."),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(1024).optional().describe("X-Next-Cursor of the previous page."),
});

export const patternSummarySchema = z
  .object({
    id: z.string().describe("The template's id, as in processed_logs' pattern.id."),
    source: z.string().describe('The log source it was mined from; "-" for logs that named none.'),
    template: z.string().describe("Constants, typed placeholders such as <IP>, and <*> for mixed variables."),
    count: z.number().int().describe("Lines of this template the pipeline has processed."),
    first_seen: z.number().describe("Event time of its first line, epoch seconds."),
    last_seen: z.number().describe("Event time of its latest line, epoch seconds."),
    sample: z.string().describe("Its first line, cut at 512 characters."),
    first_log_id: z.string().describe("The processed_logs document of that line."),
    escalated: z
      .boolean()
      .describe("An analyst acknowledged or resolved an alert on it, so its keyword hits are never informational."),
  })
  .meta({ id: "PatternSummary" });

const pageHeadersSchema = z.object({
  "X-Total-Count": z.string().regex(/^\d+$/).describe("How many templates are kept (for the source, when given)."),
  "X-Next-Cursor": z.string().optional().describe("Pass as `cursor` for the next page; absent on the last page."),
});

export const patternRoutes = [
  defineRoute({
    method: "get",
    path: "/patterns",
    operationId: "listPatterns",
    tag: "patterns",
    summary: "Mined log templates, most recently seen first. Paging: X-Total-Count and X-Next-Cursor response headers.",
    access: "read",
    query: patternQuerySchema,
    response: { description: "Templates", schema: z.array(patternSummarySchema), headers: pageHeadersSchema },
    errors: [503],
    async handle({ query }, ctx, { deps }) {
      if (deps.patterns === undefined) throw new AppError("unavailable", "This API has no pattern catalogue");
      if (query.cursor !== undefined && decodePatternCursor(query.cursor) === null)
        throw new AppError("bad_request", "cursor: not a cursor this API issued");
      const page = await deps.patterns.list({
        limit: query.limit,
        ...(query.source !== undefined ? { source: query.source } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      });
      ctx.set("X-Total-Count", String(page.total));
      if (page.next_cursor !== null) ctx.set("X-Next-Cursor", page.next_cursor);
      return page.items;
    },
  }),
];
