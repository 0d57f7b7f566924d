/**
 * Endpoints for the per-endpoint traffic-spike baselines (`rate:endpoint:<path>`). Paths are chosen
 * by whoever sends the request, so each is normalised: `/users/123?x=1` and `/Users//456/` share one
 * baseline, and no path makes a key longer than MAX_ENDPOINT_CHARS.
 */

/** The request path of an access-log line; bounded, so a 64 KiB line costs one linear scan. */
const REQUEST_LINE = /"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/[^\s?#"]{0,2048})/;
/** `scheme://authority` of an absolute URL sent as the endpoint field. */
const ORIGIN = /^[a-z][a-z\d+.-]{0,31}:\/\/[^/?#]*/i;
const QUERY_OR_FRAGMENT = /[?#]/;
const NUMERIC = /^\d+$/;
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;
const HEX = /^[\da-f]{8,}$/;
const DIGIT = /\d/;
/** Re-encoded after decoding: `/` and `%` (so decoding twice changes nothing) and control characters (alert texts). */
const REENCODED = /[/%\p{Cc}]/gu;

const ID_SEGMENT = ":id";

export const MAX_ENDPOINT_CHARS = 256;
export const MAX_ENDPOINT_SEGMENTS = 16;

/** Percent-decoded, so `%6Cogin` and `login` are one endpoint; a malformed escape is kept as sent. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Numbers, UUIDs and hex ids (with a digit, so words such as `deadbeef` stay) are one placeholder. */
const isId = (segment: string): boolean =>
  NUMERIC.test(segment) || UUID.test(segment) || (HEX.test(segment) && DIGIT.test(segment));

/** Segments decoded, lowercased, with `.` and `..` resolved and empty ones (`//`, a trailing `/`) dropped. */
function segmentsOf(path: string): string[] {
  const segments: string[] = [];
  for (const raw of path.split("/")) {
    const segment = decodeSegment(raw).toLowerCase();
    if (segment === "..") segments.pop();
    else if (segment !== "" && segment !== ".")
      segments.push(isId(segment) ? ID_SEGMENT : segment.replace(REENCODED, encodeURIComponent));
  }
  return segments;
}

/** The endpoint a request path or URL counts under (also for the `endpoint` field collectors send). */
export function normalizeEndpoint(endpoint: string): string {
  const path = endpoint.replace(ORIGIN, "");
  const end = path.search(QUERY_OR_FRAGMENT);
  const segments = segmentsOf(end === -1 ? path : path.slice(0, end)).slice(0, MAX_ENDPOINT_SEGMENTS);
  const normalized = `/${segments.join("/")}`;
  // A cut path ends in `…`, which shows in alerts that it was cut.
  return normalized.length <= MAX_ENDPOINT_CHARS ? normalized : `${normalized.slice(0, MAX_ENDPOINT_CHARS - 1)}…`;
}

/** The normalised request path of an access-log line (`"GET /users/7?x=1 HTTP/1.1"` → `/users/:id`). */
export function extractEndpoint(message: string): string | null {
  const path = REQUEST_LINE.exec(message)?.[1];
  return path === undefined ? null : normalizeEndpoint(path);
}
