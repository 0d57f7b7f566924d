/**
 * GitHub code search, within its rules: waits out `x-ratelimit-reset` when the quota is spent and
 * `retry-after` on secondary limits (403/429), and splits a query by file size when it matches more
 * than the 1,000 results search will ever return. The token goes only to GITHUB_API_URL's origin,
 * and a file is read up to the size search indexes, never further.
 */
import type { Secret } from "@soc/shared";

export interface CodeMatch {
  repository: string;
  path: string;
  /** API URL of the file's contents. */
  url: string;
  htmlUrl: string;
}

interface SearchPage {
  total_count: number;
  items: { path: string; url: string; html_url: string; repository: { full_name: string } }[];
}

export const SEARCH_RESULT_CAP = 1_000;
// GitHub only indexes files under 384 KB.
export const MAX_INDEXED_BYTES = 384_000;

export interface FileText {
  text: string;
  /** The file was longer than the cap: `text` is its beginning. */
  truncated: boolean;
}

export interface GitHubClient {
  searchCode(query: string): Promise<CodeMatch[]>;
  fileText(match: CodeMatch): Promise<FileText>;
}

/** Reads at most maxBytes of the body, then cancels it: a huge file costs no more than the cap. */
async function readBounded(response: Response, maxBytes: number): Promise<FileText> {
  const reader = response.body?.getReader();
  if (reader === undefined) return { text: "", truncated: false };
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), truncated: false };
    if (bytes + value.byteLength > maxBytes) {
      await reader.cancel();
      return { text: text + decoder.decode(value.subarray(0, maxBytes - bytes)), truncated: true };
    }
    bytes += value.byteLength;
    text += decoder.decode(value, { stream: true });
  }
}

export function createGitHubClient(options: {
  baseUrl: string;
  token: Secret;
  maxFileBytes?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}): GitHubClient {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const apiOrigin = new URL(options.baseUrl).origin;

  async function get(url: string, accept: string): Promise<Response> {
    // File URLs come from the search response: never hand the token to a host it names.
    const origin = new URL(url).origin;
    if (origin !== apiOrigin)
      throw new Error(`refusing to send the GitHub token to ${origin}: not the origin of GITHUB_API_URL`);
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${options.token.reveal()}`, accept, "x-github-api-version": "2022-11-28" },
      });
      if (response.ok) return response;
      const retryAfter = response.headers.get("retry-after");
      const remaining = response.headers.get("x-ratelimit-remaining");
      if ((response.status === 403 || response.status === 429) && retryAfter !== null) {
        await sleep(Number(retryAfter) * 1000);
      } else if ((response.status === 403 || response.status === 429) && remaining === "0") {
        await sleep(Math.max(0, Number(response.headers.get("x-ratelimit-reset") ?? 0) * 1000 - now()) + 1000);
      } else {
        throw new Error(`GitHub answered ${response.status} for ${new URL(url).pathname}`);
      }
    }
    throw new Error("GitHub rate limit did not clear after 5 waits");
  }

  async function searchRange(query: string, low: number, high: number): Promise<CodeMatch[]> {
    const ranged = low === 0 && high === MAX_INDEXED_BYTES ? query : `${query} size:${low}..${high}`;
    const matches: CodeMatch[] = [];
    for (let page = 1; ; page++) {
      const response = await get(
        `${options.baseUrl}/search/code?${new URLSearchParams({ q: ranged, per_page: "100", page: String(page) })}`,
        "application/vnd.github+json",
      );
      const body = (await response.json()) as SearchPage;
      if (page === 1 && body.total_count > SEARCH_RESULT_CAP && high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        return [...(await searchRange(query, low, middle)), ...(await searchRange(query, middle + 1, high))];
      }
      matches.push(
        ...body.items.map((item) => ({
          repository: item.repository.full_name,
          path: item.path,
          url: item.url,
          htmlUrl: item.html_url,
        })),
      );
      if (body.items.length < 100 || matches.length >= Math.min(body.total_count, SEARCH_RESULT_CAP)) return matches;
    }
  }

  return {
    searchCode: (query) => searchRange(query, 0, MAX_INDEXED_BYTES),
    async fileText(match) {
      return readBounded(await get(match.url, "application/vnd.github.raw"), options.maxFileBytes ?? MAX_INDEXED_BYTES);
    },
  };
}
