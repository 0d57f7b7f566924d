import { describe, expect, it } from "vitest";
import { parseAlerterEnv, retryPolicyOf } from "./config.ts";

describe("alerter configuration", () => {
  it("honours a Retry-After up to ten minutes unless configured otherwise", () => {
    expect(retryPolicyOf(parseAlerterEnv({})).maxRetryAfterMs).toBe(600_000);
    expect(retryPolicyOf(parseAlerterEnv({ ALERTER_MAX_RETRY_AFTER_SECONDS: "30" })).maxRetryAfterMs).toBe(30_000);
  });

  it.each([
    ["ALERTER_MAX_RETRY_AFTER_SECONDS", "0"],
    ["ALERTER_MAX_RETRY_AFTER_SECONDS", "forever"],
    ["ALERTER_MAX_RETRY_AFTER_SECONDS", "9999999"],
    ["GITHUB_WEB_URL", "http://ghe.acme.test"],
  ])("rejects %s=%s", (key, value) => {
    expect(() => parseAlerterEnv({ [key]: value })).toThrow(key);
  });

  it("links credential leaks to github.com unless a GitHub Enterprise origin is configured", () => {
    expect(parseAlerterEnv({}).GITHUB_WEB_URL).toBe("https://github.com");
    expect(parseAlerterEnv({ GITHUB_WEB_URL: "https://ghe.acme.test" }).GITHUB_WEB_URL).toBe("https://ghe.acme.test");
  });
});
