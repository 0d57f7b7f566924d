/** The behaviour every IncidentTracker adapter must have; run against memory and a real Redis. */
import { afterAll, expect, it } from "vitest";
import { uniqueName } from "../testing/infra.ts";
import type { IncidentAlert } from "./incident.ts";
import type { IncidentTracker } from "./incident-tracker.ts";

export const CONTRACT_POLICY = { windowSeconds: 600, maxSeconds: 86_400, maxAlerts: 1000 };

export function incidentTrackerContract(makeTracker: () => Promise<IncidentTracker>): void {
  const opened: IncidentTracker[] = [];
  const tracker = async (): Promise<IncidentTracker> => {
    const made = await makeTracker();
    opened.push(made);
    return made;
  };
  afterAll(async () => {
    await Promise.all(opened.map((t) => t.close()));
  });
  let offset = 0;
  const alert = (subject: string, timeSeconds: number, overrides: Partial<IncidentAlert> = {}): IncidentAlert => {
    offset += 1;
    return {
      alertId: `logs-0-${offset}`,
      rule: "brute_force",
      subject,
      timeSeconds,
      severity: "high",
      events: 5,
      reason: "r",
      source: "sshd",
      sourceIp: subject,
      position: { stream: "logs-0", offset },
      ...overrides,
    };
  };

  it("keeps one open incident per rule and subject across calls", async () => {
    const t = await tracker();
    const subject = uniqueName("198.51.100.1");
    const [a, b, c] = await t.place([
      alert(subject, 100),
      alert(subject, 110, { rule: "keyword" }),
      alert(uniqueName("other"), 120),
    ]);
    const [d] = await t.place([alert(subject, 130)]);
    expect(d).toMatchObject({ placement: "joined", incident: { id: a?.incident.id, alerts: 2, events: 10 } });
    expect(new Set([a, b, c].map((p) => p?.incident.id)).size).toBe(3);
  });

  it("gives two replicas placing alerts of one subject at once the same incident, every alert counted", async () => {
    const [first, second] = [await tracker(), await tracker()];
    const subject = uniqueName("203.0.113.9");
    // One batch per partition: a partition's alerts arrive in order, different partitions' at once.
    const inPartition = (i: number, t: number) => alert(subject, t, { position: { stream: `logs-${i}`, offset: t } });
    const batches = Array.from({ length: 10 }, (_, i) => [inPartition(i, 1000 + i * 2), inPartition(i, 1001 + i * 2)]);
    const placed = (await Promise.all(batches.map((batch, i) => (i % 2 === 0 ? first : second).place(batch)))).flat();
    expect(new Set(placed.map((p) => p.incident.id)).size).toBe(1);
    expect(Math.max(...placed.map((p) => p.incident.alerts))).toBe(20);
    expect(placed.filter((p) => p.placement === "opened")).toHaveLength(1);
  });

  it("sets the status of an open incident; a resolved one takes no more alerts", async () => {
    const t = await tracker();
    const subject = uniqueName("192.0.2.4");
    const [opened] = await t.place([alert(subject, 100)]);
    const incident = opened?.incident;
    if (incident === undefined) throw new Error("not placed");
    expect(await t.setStatus(incident, "acknowledged", 5)).toMatchObject({
      id: incident.id,
      status: "acknowledged",
      revision: 2,
      status_updated_at: 5,
    });
    expect((await t.place([alert(subject, 150)]))[0]).toMatchObject({
      placement: "joined",
      incident: { status: "acknowledged", revision: 3 },
    });
    await t.setStatus(incident, "resolved", 6);
    const [next] = await t.place([alert(subject, 160)]);
    expect(next?.placement).toBe("opened");
    expect(await t.setStatus(incident, "new", 7)).toBeNull();
  });
}
