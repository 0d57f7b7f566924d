import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { channelsOf, parseAlerterEnv, retryPolicyOf } from "./config.ts";

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

  it("reads the single-URL names SLACK_WEBHOOK_URL and DISCORD_WEBHOOK_URL (also as _FILE) with the lists, each URL once", () => {
    const file = join(mkdtempSync(join(tmpdir(), "alerter-")), "discord");
    writeFileSync(file, "https://discord.com/api/webhooks/1/a\n");
    const channels = channelsOf(
      parseAlerterEnv({
        SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/one",
        SLACK_WEBHOOK_URLS: "https://hooks.slack.com/services/T/B/two,https://hooks.slack.com/services/T/B/one",
        DISCORD_WEBHOOK_URL_FILE: file,
      }),
    );
    expect(channels.map((channel) => channel.id)).toEqual(["slack#1", "slack#2", "discord#1"]);
  });

  it("refuses a single-URL name that is not a URL rather than dropping the channel", () => {
    expect(() => parseAlerterEnv({ SLACK_WEBHOOK_URL: "hooks.slack.com/services/T/B/one" })).toThrow(
      "SLACK_WEBHOOK_URL",
    );
  });
});
