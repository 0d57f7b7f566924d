/** The request path of an access-log line (`"GET /login?x=1 HTTP/1.1"` → `/login`), for per-endpoint rates. */
const REQUEST_LINE = /"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/[^\s?"]*)/;

export function extractEndpoint(message: string): string | null {
  return REQUEST_LINE.exec(message)?.[1] ?? null;
}
