/**
 * Attacker text (URL paths of a traffic spike, GitHub repository and file names of a leak) through
 * the whole alerter to Slack-like and Discord-like webhooks and a real SMTP server: it arrives as
 * inert text, never as a mention, a ping or a link.
 */
import fc from "fast-check";
import type { ParsedMail } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { Secret, type HighPriorityAlert } from "@soc/shared";
import { eventually } from "@soc/shared/testing";
import { discordChannel, discordMessage, DISCORD_LIMITS } from "./channels/discord.ts";
import { emailChannel } from "./channels/email.ts";
import { slackChannel, slackMessage, SLACK_LIMITS } from "./channels/slack.ts";
import { renderAlert } from "./templates/index.ts";
import { bruteForceAlert } from "./testing/fixtures.ts";
import { DISCORD, SLACK } from "./testing/fake-webhook.ts";
import { alerterHarness, type AlerterOptions } from "./testing/harness.ts";

const { fakeWebhook, smtpSink, startAlerter, cleanup } = alerterHarness();
afterEach(cleanup);

const spike = (subject: string): HighPriorityAlert =>
  bruteForceAlert({
    type: "traffic_spike",
    source_ip: null,
    count: 240,
    details: { scope: "endpoint", subject, baseline_mean: 12.5, baseline_stddev: 3, baseline_minutes: 60 },
  });

const leak = (details: HighPriorityAlert["details"]): HighPriorityAlert =>
  bruteForceAlert({ type: "credential_leak", severity: "critical", source_ip: null, count: 1, log_id: null, details });

/** Sends one alert to a Slack-like and a Discord-like webhook and returns the two JSON bodies. */
async function deliveredBodies(
  alert: HighPriorityAlert,
  options: AlerterOptions = {},
): Promise<{ slack: unknown; discord: unknown }> {
  const slack = await fakeWebhook(SLACK.ok);
  const discord = await fakeWebhook(DISCORD.ok);
  const { publish } = await startAlerter(
    [slackChannel("slack#1", new Secret(slack.url)), discordChannel("discord#1", new Secret(discord.url))],
    options,
  );
  await publish(alert);
  await eventually(() => expect([slack.received.length, discord.received.length]).toEqual([1, 1]));
  return { slack: slack.received[0], discord: discord.received[0] };
}

const slackField = (text: string) => ({ type: "mrkdwn", text, verbatim: true });
const discordField = (name: string, value: string) => ({ name, value, inline: true });

describe("an autonomous system's registered name", () => {
  // Whoever registers an AS chooses its organization name, so it is attacker text like a URL path.
  const fromHostileNetwork = bruteForceAlert({
    client: {
      geo: { country_iso_code: "NL", country_name: "Netherlands" },
      as: { number: 64500, organization: { name: "<!channel> @everyone <https://evil.example|Login>" } },
    },
  });

  it("reaches Slack as escaped text", () => {
    const message = slackMessage(renderAlert(fromHostileNetwork, CONTEXT)) as { text: string };
    expect(message.text).toBe(
      "Security alert: brute-force attack detected. 5 failed logins from 198.51.100.10 (Netherlands, AS64500 &lt;!channel&gt; @everyone &lt;https[:]//evil.example|Login&gt;) in 4 minutes.",
    );
  });

  it("reaches Discord escaped, with mentions off and the link defanged", () => {
    const message = discordMessage(renderAlert(fromHostileNetwork, CONTEXT));
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.embeds[0]?.description).toBe(
      "Security alert\\: brute\\-force attack detected. 5 failed logins from 198.51.100.10 \\(Netherlands, AS64500 \\<!channel\\> \\@everyone \\<https\\[\\:\\]//evil.example\\|Login\\>\\) in 4 minutes.",
    );
  });
});

describe("attacker text in Slack and Discord messages", () => {
  it("shows the audit's @channel + phishing-link URL path as escaped text (traffic spike)", async () => {
    const { slack, discord } = await deliveredBodies(
      spike("on /<!channel>_<https://evil.example/sso|Re-authenticate_to_SOC>"),
    );
    const slackText =
      "Security alert: traffic spike on /&lt;!channel&gt;_&lt;https[:]//evil.example/sso|Re-authenticate_to_SOC&gt;. 240 requests in one minute, against a usual 12.5 per minute.";
    expect(slack).toEqual({
      text: slackText,
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Security alert: traffic spike" } },
        { type: "section", text: slackField(slackText) },
        {
          type: "section",
          fields: [
            slackField("*Scope*\nendpoint"),
            slackField("*Requests this minute*\n240"),
            slackField("*Baseline*\n12.5 ± 3.0 per minute"),
            slackField("*Minute starting*\n2025-11-24T16:00:00Z"),
          ],
        },
        {
          type: "actions",
          elements: [
            {
              type: "button",
              text: { type: "plain_text", text: "Open in dashboard" },
              url: "http://localhost:3000/#/alerts?id=logs-0-42",
            },
          ],
        },
      ],
    });
    expect(discord).toEqual({
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: "Security alert: traffic spike",
          description: String.raw`Security alert\: traffic spike on /\<!channel\>\_\<https\[\:\]//evil.example/sso\|Re\-authenticate\_to\_SOC\>. 240 requests in one minute, against a usual 12.5 per minute.`,
          color: 0xe8590c,
          fields: [
            discordField("Scope", "endpoint"),
            discordField("Requests this minute", "240"),
            discordField("Baseline", "12.5 ± 3.0 per minute"),
            discordField("Minute starting", String.raw`2025\-11\-24T16\:00\:00Z`),
          ],
          url: "http://localhost:3000/#/alerts?id=logs-0-42",
        },
      ],
    });
  });

  it("never pings or links from a GitHub repository or file name, and never links a non-GitHub leak URL", async () => {
    const { slack, discord } = await deliveredBodies(
      leak({
        repository: "acme/<!here>",
        file: "[click](http://evil) ```@everyone``` <@U123> @here.env",
        line: 3,
        rule: "aws-access-key-id",
        url: "https://evil.example/login",
      }),
    );
    const slackText =
      "Security alert: a possible aws-access-key-id was found in public code at acme/&lt;!here&gt;/[click](http[:]//evil) ```@everyone``` &lt;@U123&gt; @here.env line 3. Rotate it now.";
    // No actions block: the alert has no dashboard link and its URL is not GitHub's.
    expect(slack).toEqual({
      text: slackText,
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Security alert: leaked credential" } },
        { type: "section", text: slackField(slackText) },
        {
          type: "section",
          fields: [
            slackField("*Repository*\nacme/&lt;!here&gt;"),
            slackField("*File*\n[click](http[:]//evil) ```@everyone``` &lt;@U123&gt; @here.env line 3"),
            slackField("*Rule*\naws-access-key-id"),
            slackField("*Reported URL (not GitHub, not linked)*\nhttps[:]//evil.example/login"),
          ],
        },
      ],
    });
    expect(discord).toEqual({
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: "Security alert: leaked credential",
          description: String.raw`Security alert\: a possible aws\-access\-key\-id was found in public code at acme/\<!here\>/\[click\]\(http\[\:\]//evil\) \`\`\`\@everyone\`\`\` \<\@U123\> \@here.env line 3. Rotate it now.`,
          color: 0xc92a2a,
          fields: [
            discordField("Repository", String.raw`acme/\<!here\>`),
            discordField(
              "File",
              String.raw`\[click\]\(http\[\:\]//evil\) \`\`\`\@everyone\`\`\` \<\@U123\> \@here.env line 3`,
            ),
            discordField("Rule", String.raw`aws\-access\-key\-id`),
            discordField(
              String.raw`Reported URL \(not GitHub, not linked\)`,
              String.raw`https\[\:\]//evil.example/login`,
            ),
          ],
        },
      ],
    });
  });

  it("links a leak to its GitHub page, on github.com or the configured GitHub Enterprise origin", async () => {
    const url = "https://ghe.acme.test/acme/site/blob/main/.env#L3";
    const { slack, discord } = await deliveredBodies(
      leak({ repository: "acme/site", file: ".env", line: 3, rule: "aws-access-key-id", url }),
      { githubWebUrl: "https://ghe.acme.test" },
    );
    expect((slack as { blocks: unknown[] }).blocks.at(-1)).toEqual({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open in dashboard" }, url }],
    });
    expect((discord as { embeds: { url?: string }[] }).embeds[0]?.url).toBe(url);
  });

  it("cuts a 10,000-character path to 200 characters with an ellipsis", async () => {
    const { slack, discord } = await deliveredBodies(spike(`on /${"a".repeat(10_000)}`));
    const subject = `on /${"a".repeat(195)}…`;
    expect((slack as { text: string }).text).toBe(
      `Security alert: traffic spike ${subject}. 240 requests in one minute, against a usual 12.5 per minute.`,
    );
    expect((discord as { embeds: { description: string }[] }).embeds[0]?.description).toBe(
      String.raw`Security alert\: traffic spike ${subject}. 240 requests in one minute, against a usual 12.5 per minute.`,
    );
  });

  it("keeps the email subject fixed and an injected line break out of the plain-text part", async () => {
    const smtp = await smtpSink();
    const email = emailChannel("email#1", {
      smtpUrl: new Secret(smtp.url),
      from: "SOC <soc@example.test>",
      to: ["oncall@example.test"],
    });
    const { publish } = await startAlerter([email]);
    await publish(spike("on /x\r\n\r\nOpen in the dashboard: https://evil.example/sso\r\nSubject: reset"));
    await eventually(() => expect(smtp.mails).toHaveLength(1));
    const mail = smtp.mails[0] as ParsedMail;
    expect(mail.subject).toBe("[SOC] Security alert: traffic spike");
    expect(mail.text).toBe(
      [
        "Security alert: traffic spike on /x    Open in the dashboard: https[:]//evil.example/sso  Subject: reset. 240 requests in one minute, against a usual 12.5 per minute.",
        "",
        "Scope: endpoint",
        "Requests this minute: 240",
        "Baseline: 12.5 ± 3.0 per minute",
        "Minute starting: 2025-11-24T16:00:00Z",
        "",
        "Open in the dashboard: http://localhost:3000/#/alerts?id=logs-0-42",
        "",
      ].join("\n"),
    );
  });
});

// Dense in the characters that matter, plus arbitrary Unicode.
const DANGEROUS = [
  "<",
  ">",
  "&",
  "!",
  "@",
  "|",
  "*",
  "_",
  "~",
  "`",
  "[",
  "]",
  "(",
  ")",
  "\\",
  ":",
  "/",
  "#",
  "-",
  "\n",
  "\u202e",
  " ",
  "a",
  "h",
  "t",
  "p",
  "s",
  "é",
  "😀",
];
const anySubject = fc.oneof(
  fc.string({ unit: fc.constantFrom(...DANGEROUS), maxLength: 400 }),
  fc.string({ unit: "binary", maxLength: 400 }),
);
const CONTEXT = { dashboardUrl: "http://localhost:3000", githubWebUrl: "https://github.com" };
const DISCORD_MARKUP = /[\\*_~`|<>#\-[\]():@]/;

describe("escaping, for any subject", () => {
  it("leaves no unescaped <, > or & in any Slack text, and keeps it within Slack's limits", () => {
    fc.assert(
      fc.property(anySubject, (subject) => {
        const message = slackMessage(renderAlert(spike(subject), CONTEXT)) as {
          text: string;
          blocks: {
            text?: { type: string; text: string; verbatim?: boolean };
            fields?: { text: string; verbatim: boolean }[];
          }[];
        };
        const mrkdwn = message.blocks.flatMap((block) => [
          ...(block.text?.type === "mrkdwn" ? [block.text] : []),
          ...(block.fields ?? []),
        ]);
        for (const text of [message.text, ...mrkdwn.map((object) => object.text)]) {
          expect(text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
          expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
        }
        expect(mrkdwn.every((object) => object.verbatim === true)).toBe(true);
      }),
    );
  });

  it("sends allowed_mentions.parse = [] and leaves no unescaped markdown in a Discord embed", () => {
    fc.assert(
      fc.property(anySubject, (subject) => {
        const message = discordMessage(renderAlert(spike(subject), CONTEXT));
        expect(message.allowed_mentions).toEqual({ parse: [] });
        const embed = message.embeds[0] as { description: string; fields: { value: string }[] };
        expect(embed.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
        for (const text of [embed.description, ...embed.fields.map((field) => field.value)])
          expect(text.replace(/\\[\s\S]/g, "")).not.toMatch(DISCORD_MARKUP);
      }),
    );
  });
});
