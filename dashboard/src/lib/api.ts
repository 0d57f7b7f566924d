/** Typed client of the SOC Pipeline API. Errors carry the API's {detail, code} and the status. */
import type { AlertStatus, PipelineHealth, ProcessedLog, Stats, WhitelistEntry } from "./types.ts";

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

export function createApi(baseUrl: string, apiKey: () => string) {
  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${apiKey()}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      });
    } catch {
      throw new ApiError(0, "unreachable", `The API at ${baseUrl} cannot be reached. Is the pipeline running?`);
    }
    if (response.ok) return response;
    const body = (await response.json().catch(() => ({}))) as { detail?: string; code?: string };
    throw new ApiError(response.status, body.code ?? "error", body.detail ?? `HTTP ${response.status}`);
  }
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => (await (await request(path, init)).json()) as T;

  return {
    whoami: () => json<{ role: string }>("/auth/whoami"),
    async alerts(query: string): Promise<Page> {
      const response = await request(`/alerts?${query}`);
      return { items: (await response.json()) as ProcessedLog[], total: Number(response.headers.get("x-total-count") ?? 0), nextCursor: response.headers.get("x-next-cursor") };
    },
    setStatus: (ids: string[], status: AlertStatus) => json<{ updated: number; not_found: string[] }>("/alerts", { method: "PATCH", body: JSON.stringify({ ids, status }) }),
    stats: () => json<Stats>("/stats?bucket_seconds=3600"),
    pipeline: () => json<PipelineHealth>("/pipeline"),
    whitelist: () => json<{ whitelisted_ips: string[]; entries: WhitelistEntry[] }>("/whitelist"),
    addToWhitelist: (ip: string) => json<{ status: string }>("/whitelist", { method: "POST", body: JSON.stringify({ ip }) }),
    removeFromWhitelist: (ip: string) => json<{ status: string }>(`/whitelist/${encodeURIComponent(ip)}`, { method: "DELETE" }),
    report: async (month: string): Promise<Blob> => (await request(`/reports/monthly.pdf?month=${encodeURIComponent(month)}`)).blob(),
  };
}

/** Paths and methods this client calls, for the contract check against /openapi.json. */
export const CLIENT_OPERATIONS = [
  ["get", "/auth/whoami"],
  ["get", "/alerts"],
  ["patch", "/alerts"],
  ["get", "/stats"],
  ["get", "/pipeline"],
  ["get", "/whitelist"],
  ["post", "/whitelist"],
  ["delete", "/whitelist/{ip}"],
  ["get", "/reports/monthly.pdf"],
] as const;
