/**
 * The dashboard's client of the SOC Pipeline API: openapi-fetch over the types generated from the
 * API's OpenAPI document (api-schema.ts), so a path, parameter or field the API no longer has
 * fails svelte-check and tsc rather than the page. Errors carry the API's {detail, code} and the status.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./api-schema.ts";
import type { AlertQuery, AlertStatus, ProcessedLog } from "./types.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface Page {
  items: ProcessedLog[];
  total: number;
  nextCursor: string | null;
}

export type Api = ReturnType<typeof createApi>;

/** A mined log template, as GET /patterns lists it. */
export type PatternSummary = components["schemas"]["PatternSummary"];

/** Alerts of one rule and subject grouped by the workers (docs/incidents.md). */
export type Incident = components["schemas"]["Incident"];

/** A ban, as GET /bans lists it (docs/response.md). */
export type Ban = components["schemas"]["Ban"];

/** The API's error body, or null when the answer was not one (a proxy's HTML page, say). */
function errorBody(error: unknown): { detail: string; code: string } | null {
  if (typeof error !== "object" || error === null) return null;
  const { detail, code } = error as Record<string, unknown>;
  return typeof detail === "string" && typeof code === "string" ? { detail, code } : null;
}

export function createApi(baseUrl: string, apiKey: () => string) {
  const client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      request.headers.set("authorization", `Bearer ${apiKey()}`);
      return request;
    },
  });

  /** The data of a 2xx answer; any other answer, or none, becomes an ApiError. */
  async function settle<T>(
    call: Promise<{ data?: T; error?: unknown; response: Response }>,
  ): Promise<{ data: T; response: Response }> {
    let result: { data?: T; error?: unknown; response: Response };
    try {
      result = await call;
    } catch {
      throw new ApiError(0, "unreachable", `The API at ${baseUrl} cannot be reached. Is the pipeline running?`);
    }
    const { data, error, response } = result;
    if (response.ok && data !== undefined) return { data, response };
    const body = errorBody(error);
    throw new ApiError(response.status, body?.code ?? "error", body?.detail ?? `HTTP ${response.status}`);
  }

  return {
    whoami: async () => (await settle(client.GET("/auth/whoami"))).data,
    async alerts(query: AlertQuery): Promise<Page> {
      const { data, response } = await settle(client.GET("/alerts", { params: { query } }));
      return {
        items: data,
        total: Number(response.headers.get("x-total-count") ?? 0),
        nextCursor: response.headers.get("x-next-cursor"),
      };
    },
    setStatus: async (ids: string[], status: AlertStatus) =>
      (await settle(client.PATCH("/alerts", { body: { ids, status } }))).data,
    /** The API picks the timeline's bucket width from the range and says which (bucket_seconds). */
    stats: async (range: { from: number; to: number }) =>
      (await settle(client.GET("/stats", { params: { query: range } }))).data,
    async patterns(query: {
      source?: string;
      limit: number;
      cursor?: string;
    }): Promise<{ items: PatternSummary[]; nextCursor: string | null }> {
      const { data, response } = await settle(client.GET("/patterns", { params: { query } }));
      return { items: data, nextCursor: response.headers.get("x-next-cursor") };
    },
    async incidents(query: {
      status?: string;
      size: number;
      cursor?: string;
    }): Promise<{ items: Incident[]; total: number; nextCursor: string | null }> {
      const { data, response } = await settle(client.GET("/incidents", { params: { query } }));
      return {
        items: data,
        total: Number(response.headers.get("x-total-count") ?? 0),
        nextCursor: response.headers.get("x-next-cursor"),
      };
    },
    setIncidentStatus: async (id: string, status: AlertStatus) =>
      (
        await settle(
          client.PATCH("/incidents/{incident_id}", { params: { path: { incident_id: id } }, body: { status } }),
        )
      ).data,
    pipeline: async () => (await settle(client.GET("/pipeline"))).data,
    whitelist: async () => (await settle(client.GET("/whitelist"))).data,
    addToWhitelist: async (ip: string) => (await settle(client.POST("/whitelist", { body: { ip } }))).data,
    removeFromWhitelist: async (ip: string) =>
      (await settle(client.DELETE("/whitelist/{ip}", { params: { path: { ip } } }))).data,
    bans: async () => (await settle(client.GET("/bans"))).data,
    ban: async (body: { ip: string; duration: string; reason: string }) =>
      (await settle(client.POST("/bans", { body }))).data,
    liftBan: async (ip: string) => (await settle(client.DELETE("/bans/{ip}", { params: { path: { ip } } }))).data,
    report: async (month: string): Promise<Blob> =>
      (await settle(client.GET("/reports/monthly.pdf", { params: { query: { month } }, parseAs: "blob" }))).data,
  };
}
