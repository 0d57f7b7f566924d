/** Alerter configuration: channels from the environment or mounted Secret files (NAME_FILE). */
import { z } from "zod";
import {
  checkRedisEnv,
  commaList,
  logLevel,
  optionalRedisEnvShape,
  parseConfig,
  port,
  positiveInt,
  Secret,
  topicEnvShape,
} from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";
import type { Channel } from "./channels/channel.ts";
import { discordChannel } from "./channels/discord.ts";
import { emailChannel } from "./channels/email.ts";
import { slackChannel } from "./channels/slack.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./delivery.ts";

const secretUrls = z
  .string()
  .default("")
  .transform((s) => s.split(/[,\s]+/).filter((url) => url !== ""))
  .pipe(z.array(z.url()))
  .transform((urls) => urls.map((url) => new Secret(url)));

export const alerterEnvSchema = z
  .object({
    ...kafkaEnvShape,
    // Optional: without it the delivery log lives in memory.
    ...optionalRedisEnvShape,
    SLACK_WEBHOOK_URLS: secretUrls,
    DISCORD_WEBHOOK_URLS: secretUrls,
    // The original single-URL names: still read, merged with the lists above.
    SLACK_WEBHOOK_URL: secretUrls,
    DISCORD_WEBHOOK_URL: secretUrls,
    SMTP_URL: z
      .string()
      .min(1)
      .transform((url) => new Secret(url))
      .optional(),
    ALERT_EMAIL_FROM: z.string().default("SOC Pipeline <soc@localhost>"),
    ALERT_EMAIL_TO: commaList.pipe(z.array(z.email())).default([]),
    DASHBOARD_URL: z.url().default("http://localhost:3000"),
    /** A credential-leak link is a link only on github.com or here (GitHub Enterprise); https only. */
    GITHUB_WEB_URL: z.url({ protocol: /^https$/ }).default("https://github.com"),
    ALERT_DEDUP_WINDOW_SECONDS: positiveInt.default(600),
    /** Longest Retry-After honoured: a longer one (even "forever") waits this long, then retries. */
    ALERTER_MAX_RETRY_AFTER_SECONDS: positiveInt.max(86_400).default(600),
    ALERTER_PORT: port.default(9465),
    ALERTER_GROUP_ID: z.string().min(1).default("soc-alerter"),
    /** Starts every delivery-log key: alert ids repeat across pipelines, so pipelines sharing a Redis need their own. */
    REDIS_KEY_PREFIX: z.string().min(1).max(256).default("soc-alerter:"),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
    ...tracingEnvShape,
  })
  .superRefine(checkRedisEnv)
  .superRefine(checkKafkaEnv);
export type AlerterEnv = z.output<typeof alerterEnvSchema>;

export function parseAlerterEnv(env: Record<string, string | undefined>): AlerterEnv {
  return parseConfig(alerterEnvSchema, env);
}

/** The delivery loop's bounds, with the configured Retry-After ceiling. */
export function retryPolicyOf(env: AlerterEnv): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: env.ALERTER_MAX_RETRY_AFTER_SECONDS * 1000 };
}

/** Both names' URLs, each once: a URL set under both names would otherwise notify twice. */
function distinctUrls(...lists: Secret[][]): Secret[] {
  const byUrl = new Map(lists.flat().map((url) => [url.reveal(), url]));
  return [...byUrl.values()];
}

/** Every configured channel; one that is not configured is simply absent. */
export function channelsOf(env: AlerterEnv): Channel[] {
  const slack = distinctUrls(env.SLACK_WEBHOOK_URLS, env.SLACK_WEBHOOK_URL).map((url, i) =>
    slackChannel(`slack#${i + 1}`, url),
  );
  const discord = distinctUrls(env.DISCORD_WEBHOOK_URLS, env.DISCORD_WEBHOOK_URL).map((url, i) =>
    discordChannel(`discord#${i + 1}`, url),
  );
  const email =
    env.SMTP_URL !== undefined && env.ALERT_EMAIL_TO.length > 0
      ? [emailChannel("email#1", { smtpUrl: env.SMTP_URL, from: env.ALERT_EMAIL_FROM, to: env.ALERT_EMAIL_TO })]
      : [];
  return [...slack, ...discord, ...email];
}
