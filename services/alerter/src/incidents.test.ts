import { afterEach, describe, expect, it } from "vitest";
import { Secret, type HighPriorityAlert } from "@soc/shared";
import { eventually } from "@soc/shared/testing";
import { slackChannel } from "./channels/slack.ts";
import { NoiseFilter } from "./noise.ts";
import { renderIncidentUpdate } from "./templates/incident-update.ts";
import { SLACK } from "./testing/fake-webhook.ts";
import { bruteForceAlert } from "./testing/fixtures.ts";
import { alerterHarness } from "./testing/harness.ts";

const FIRST_SEEN = 1_764_000_000;
/** The n-th brute-force alert (5 failed logins each) of one incident, a minute apart. */
const nth = (n: number, overrides: Partial<NonNullable<HighPriorityAlert["incident"]>> = {}): HighPriorityAlert =>
  bruteForceAlert({
    alert_id: `logs-0-${n}`,
    log_id: `logs-0-${n}`,
    incident: {
      id: "inc-logs-0-1",
      opened: n === 1,
      status: "new",
      alerts: n,
      events: 5 * n,
      first_seen: FIRST_SEEN,
      last_seen: FIRST_SEEN + 60 * (n - 1),
      ...overrides,
    },
  });
const context = { dashboardUrl: "http://localhost:3000", githubWebUrl: "https://github.com" };

describe("noise control by incident", () => {
  it("sends an incident's first alert, folds the rest of the window, and remembers the last notice", () => {
    const noise = new NoiseFilter(600);
    expect(noise.admit(nth(1), 0)).toEqual({ action: "send", previous: null });
    expect(noise.admit(nth(2), 10).action).toBe("suppress");
    expect(noise.admit(nth(3), 20).action).toBe("suppress");
    // Another incident of the same source and type is announced on its own.
    expect(noise.admit(bruteForceAlert({ incident: { ...nth(1).incident!, id: "inc-other" } }), 30).action).toBe(
      "send",
    );
    const [followUp] = noise.closeExpired(600);
    expect(followUp).toMatchObject({ alert: { alert_id: "logs-0-3" }, since: { alert_id: "logs-0-1" }, suppressed: 2 });
    expect(noise.admit(nth(4), 700)).toMatchObject({ action: "send", previous: { alert_id: "logs-0-3" } });
  });

  it("never sends the alerts of an incident called a false positive", () => {
    const noise = new NoiseFilter(600);
    expect(noise.admit(nth(1, { status: "false_positive" }), 0).action).toBe("suppress");
    expect(noise.closeExpired(1_000)).toEqual([]);
  });

  it("words an update with what happened since the previous notice and in all", () => {
    const update = renderIncidentUpdate(nth(59), nth(1), context);
    expect(update.id).toBe("logs-0-59#update");
    expect(update.text).toBe(
      "Still ongoing: 290 more failed logins (58 alerts) from 198.51.100.10 since 2025-11-24T16:00:00Z; 295 failed logins in 59 alerts since 2025-11-24T16:00:00Z.",
    );
    expect(renderIncidentUpdate(nth(3), null, context).text).toBe(
      "Still ongoing: failed logins from 198.51.100.10 continue; 15 failed logins in 3 alerts since 2025-11-24T16:00:00Z.",
    );
  });
});

describe("alerter: one notification per incident, then updates", () => {
  const { fakeWebhook, startAlerter, cleanup } = alerterHarness();
  afterEach(cleanup);

  it("announces the incident once, sends one update per window, and nothing for a false positive", async () => {
    const slack = await fakeWebhook(SLACK.ok);
    let nowMs = 1_764_000_000_000;
    const { publish } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))], {
      dedupWindowSeconds: 600,
      now: () => nowMs,
    });
    await publish(nth(1), nth(2), nth(3), nth(4));
    await eventually(() => expect(slack.received).toHaveLength(1));
    expect((slack.received[0] as { text: string }).text).toMatch(/^Security alert: brute-force attack detected\./);
    nowMs += 601_000;
    await eventually(() => expect(slack.received).toHaveLength(2));
    expect((slack.received[1] as { text: string }).text).toBe(
      "Still ongoing: 15 more failed logins (3 alerts) from 198.51.100.10 since 2025-11-24T16:00:00Z; 20 failed logins in 4 alerts since 2025-11-24T16:00:00Z.",
    );
    nowMs += 601_000;
    await publish(nth(5));
    await eventually(() => expect(slack.received).toHaveLength(3));
    expect((slack.received[2] as { text: string }).text).toMatch(
      /^Still ongoing: 5 more failed logins \(1 alert\) from 198\.51\.100\.10 since 2025-11-24T16:03:00Z;/,
    );
    nowMs += 601_000;
    await publish(nth(6, { status: "false_positive" }));
    await publish(bruteForceAlert({ alert_id: "later", source_ip: "192.0.2.50" }));
    await eventually(() => expect(slack.received).toHaveLength(4));
    expect((slack.received[3] as { text: string }).text).toContain("192.0.2.50");
  });
});
