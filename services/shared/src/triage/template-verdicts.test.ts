import { describe, expect, it } from "vitest";
import { createMemoryBus } from "../bus/memory-bus.ts";
import { silentLogger } from "../logger.ts";
import { deadLetterTopic, TOPICS } from "../messages.ts";
import { eventually } from "../testing/eventually.ts";
import { followWhitelist, whitelistUpdateMessage } from "../whitelist/replica.ts";
import {
  suppressionIdOf,
  TEMPLATE_VERDICT_KIND,
  templateVerdictMessage,
  TemplateVerdicts,
  type TemplateVerdict,
} from "./template-verdicts.ts";

const about = { kind: TEMPLATE_VERDICT_KIND, source: "sshd", pattern_id: "00000000000000a1" } as const;
const suppress: TemplateVerdict = {
  ...about,
  verdict: "suppress",
  template: "Failed password for <*> from <IP> port <NUM> ssh2",
  severity: "high",
  by: "alice",
  at: 1_700_000_000,
  alert_id: "logs-0-4",
};
const raise: TemplateVerdict = { ...suppress, verdict: "raise", by: "bob", at: 1_700_000_500, alert_id: "logs-0-9" };
const clear: TemplateVerdict = { ...about, verdict: "clear", by: "carol", at: 1_700_000_900 };

describe("TemplateVerdicts", () => {
  it("lists a suppression with who made it, when, and from which alert", () => {
    const verdicts = new TemplateVerdicts();
    verdicts.apply(suppress);
    expect(verdicts.suppressions()).toEqual([
      {
        id: suppressionIdOf("sshd", "00000000000000a1"),
        source: "sshd",
        pattern_id: "00000000000000a1",
        template: suppress.template,
        severity: "high",
        created_by: "alice",
        created_at: 1_700_000_000,
        alert_id: "logs-0-4",
      },
    ]);
    expect(verdicts.of("sshd", "00000000000000a1")?.verdict).toBe("suppress");
    expect(verdicts.of("nginx", "00000000000000a1")).toBeUndefined();
  });

  it("keeps the latest verdict per source and template: a raise replaces a suppression, a clear removes both", () => {
    const verdicts = new TemplateVerdicts();
    verdicts.apply(suppress);
    verdicts.apply(raise);
    expect(verdicts.suppressions()).toEqual([]);
    expect(verdicts.of("sshd", "00000000000000a1")?.verdict).toBe("raise");
    verdicts.apply(clear);
    expect(verdicts.of("sshd", "00000000000000a1")).toBeUndefined();
  });

  it("names every source and template by its own key and id, whatever characters they hold", () => {
    expect(templateVerdictMessage({ ...suppress, source: "a/b", pattern_id: "c" }).key).not.toBe(
      templateVerdictMessage({ ...suppress, source: "a", pattern_id: "b/c" }).key,
    );
    expect(suppressionIdOf("a/b", "c")).not.toBe(suppressionIdOf("a", "b/c"));
    expect(suppressionIdOf("sshd", "x")).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("template verdicts on config-updates", () => {
  it("reach a replica beside the whitelist, which they leave alone; a malformed or mis-keyed one is dead-lettered", async () => {
    const bus = createMemoryBus({ compactedTopics: [TOPICS.configUpdates] });
    await bus.publish(TOPICS.configUpdates, [
      whitelistUpdateMessage({ action: "add", ip: "203.0.113.0/24" }),
      templateVerdictMessage(suppress),
      templateVerdictMessage({ ...suppress, source: "cron", pattern_id: "00000000000000c3" }),
      {
        key: templateVerdictMessage({ ...suppress, source: "auth" }).key,
        value: JSON.stringify({ ...suppress, source: "nginx" }),
      },
      {
        key: templateVerdictMessage({ ...suppress, source: "auth", pattern_id: "00000000000000d4" }).key,
        value: JSON.stringify({ ...suppress, source: "auth", pattern_id: "00000000000000d4", severity: "urgent" }),
      },
    ]);
    await bus.publish(TOPICS.configUpdates, [
      templateVerdictMessage({ ...clear, source: "cron", pattern_id: "00000000000000c3" }),
    ]);
    const follower = await followWhitelist(bus, silentLogger());
    try {
      await eventually(() => expect(follower.templates.suppressions().map((s) => s.source)).toEqual(["sshd"]));
      expect(follower.whitelist.entries()).toEqual(["203.0.113.0/24"]);
      const dead: string[] = [];
      const dlq = await bus.follow(
        deadLetterTopic(TOPICS.configUpdates),
        (message) => void dead.push(message.headers["dlq-reason"] ?? ""),
      );
      await eventually(() => expect(dead).toHaveLength(2));
      expect(dead).toEqual([
        "key: not the key of the verdict's source and template",
        expect.stringMatching(/^schema: severity/),
      ]);
      await dlq.stop();
    } finally {
      await follower.subscription.stop();
    }
  });
});
