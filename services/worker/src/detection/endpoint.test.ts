import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractEndpoint, MAX_ENDPOINT_CHARS, MAX_ENDPOINT_SEGMENTS, normalizeEndpoint } from "./endpoint.ts";

describe("extractEndpoint", () => {
  it("takes the normalised path of an access-log request line", () => {
    expect(extractEndpoint('203.0.113.5 - - [24/Nov/2026:10:00:00 +0000] "GET /users/123?tab=1 HTTP/1.1" 200 12')).toBe(
      "/users/:id",
    );
    expect(extractEndpoint('"POST /login#x HTTP/1.1"')).toBe("/login");
    expect(extractEndpoint("no request line here")).toBeNull();
  });

  it("gives one key to every random path an attacker requests under an id, query or case variant", () => {
    const lines = Array.from(
      { length: 1_000 },
      (_, i) => `"GET /API//orders/${i * 7919}/./items/${crypto.randomUUID()}?cache=${i} HTTP/1.1"`,
    );
    expect(new Set(lines.map(extractEndpoint))).toEqual(new Set(["/api/orders/:id/items/:id"]));
  });

  it("stays linear and bounded on a hostile 64 KiB line", () => {
    const hostile = ['"GET '.repeat(13_107), `"GET /${"a/".repeat(32_000)} HTTP/1.1"`];
    const started = performance.now();
    const results = hostile.map(extractEndpoint);
    expect(performance.now() - started).toBeLessThan(250);
    expect(results[0]).toBeNull();
    expect(results[1]?.length).toBeLessThanOrEqual(MAX_ENDPOINT_CHARS);
  });
});

describe("normalizeEndpoint", () => {
  it.each([
    ["query and fragment", "/search?q=1#top", "/search"],
    ["repeated and trailing slashes", "//a///b/", "/a/b"],
    ["numeric ids", "/users/123/posts/4", "/users/:id/posts/:id"],
    ["UUIDs", "/orders/550E8400-E29B-41D4-A716-446655440000", "/orders/:id"],
    ["hex ids with a digit", "/commits/0f3a9c2e17", "/commits/:id"],
    ["hex-looking words", "/deadbeef/facade", "/deadbeef/facade"],
    ["dot segments", "/a/./b/../c/..", "/a"],
    ["dot segments above the root", "/../../etc/passwd", "/etc/passwd"],
    ["percent-encoded letters and dots", "/%6Cogin/%2e%2e/admin", "/admin"],
    ["an encoded slash, kept apart from a real one", "/a%2Fb", "/a%2Fb"],
    ["malformed escapes", "/a%zz/%E0%A4%A", "/a%25zz/%25e0%25a4%25a"],
    ["control characters, which would reach alert texts", "/x%0Ainjected\r", "/x%0Ainjected%0D"],
    ["case", "/Admin/LOGIN", "/admin/login"],
    ["an absolute URL", "https://shop.example:8443/Cart/9?x", "/cart/:id"],
    ["a relative path", "users/1", "/users/:id"],
    ["nothing", "", "/"],
  ])("normalises %s", (_, raw, expected) => {
    expect(normalizeEndpoint(raw)).toBe(expected);
  });

  it("caps length and depth, marking a cut path", () => {
    const deep = normalizeEndpoint("/a".repeat(100));
    expect(deep).toBe(`/${Array(MAX_ENDPOINT_SEGMENTS).fill("a").join("/")}`);
    const long = normalizeEndpoint(`/${"x".repeat(2_048)}`);
    expect(long).toHaveLength(MAX_ENDPOINT_CHARS);
    expect(long.endsWith("…")).toBe(true);
  });

  it("is bounded, rooted, free of control characters and stable when applied again", () => {
    const segment = fc.oneof(
      fc.webSegment(),
      fc.constantFrom("", ".", "..", "%", "%2", "%zz", "%2F", "%0a", "%ff"),
      fc.integer({ min: 0 }).map(String),
      fc.uuid(),
      fc.string({ unit: "binary", maxLength: 12 }),
    );
    const path = fc.array(segment, { maxLength: 40 }).map((segments) => segments.join("/"));
    fc.assert(
      fc.property(fc.oneof(path, fc.string({ unit: "binary", maxLength: 2_048 })), (raw) => {
        const normalized = normalizeEndpoint(raw);
        expect(normalized.length).toBeLessThanOrEqual(MAX_ENDPOINT_CHARS);
        expect(normalized.startsWith("/")).toBe(true);
        expect(normalized).not.toMatch(/\p{Cc}/u);
        if (normalized.length < MAX_ENDPOINT_CHARS) expect(normalizeEndpoint(normalized)).toBe(normalized);
      }),
      { numRuns: 2_000 },
    );
  });
});
