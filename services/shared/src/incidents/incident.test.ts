import { describe, expect, it } from "vitest";
import {
  latestStates,
  place,
  placeAll,
  withIncidentStatus,
  type IncidentAlert,
  type IncidentPolicy,
} from "./incident.ts";

const policy: IncidentPolicy = { windowSeconds: 600, maxSeconds: 3600, maxAlerts: 3 };
let offset = 0;
const alert = (timeSeconds: number, overrides: Partial<IncidentAlert> = {}): IncidentAlert => {
  offset += 1;
  return {
    alertId: `logs-0-${offset}`,
    rule: "brute_force",
    subject: "183.62.140.253",
    timeSeconds,
    severity: "high",
    events: 5,
    reason: `Brute-force attempt detected from 183.62.140.253 (5 attempts).`,
    source: "sshd",
    sourceIp: "183.62.140.253",
    position: { stream: "logs-0", offset },
    ...overrides,
  };
};

describe("placing alerts in incidents", () => {
  it("opens an incident named after its first alert, then joins alerts within the window to it", () => {
    const first = alert(1000);
    const { placed } = placeAll(null, [first, alert(1300), alert(1800)], policy);
    expect(placed.map((p) => p.placement)).toEqual(["opened", "joined", "joined"]);
    expect(placed[2]?.incident).toMatchObject({
      id: `inc-${first.alertId}`,
      first_seen: 1000,
      last_seen: 1800,
      alerts: 3,
      events: 15,
      status: "new",
      revision: 3,
    });
  });

  it("opens a new incident after a quiet gap longer than the window", () => {
    const { placed } = placeAll(null, [alert(1000), alert(1601)], policy);
    expect(placed.map((p) => p.placement)).toEqual(["opened", "opened"]);
    expect(placed[0]?.incident.id).not.toBe(placed[1]?.incident.id);
  });

  it("caps an incident's span and its number of alerts", () => {
    const longRun = placeAll(
      null,
      [0, 500, 1000, 1500].map((t) => alert(t)),
      { ...policy, maxAlerts: 100, maxSeconds: 1200 },
    ).placed;
    expect(longRun.map((p) => p.placement)).toEqual(["opened", "joined", "joined", "opened"]);
    const many = placeAll(
      null,
      [0, 1, 2, 3].map((t) => alert(t)),
      policy,
    ).placed;
    expect(many.map((p) => p.incident.alerts)).toEqual([1, 2, 3, 1]);
  });

  it("takes an alert that arrives late (event time before the first) and keeps the latest reason", () => {
    const { placed } = placeAll(null, [alert(1000, { reason: "first" }), alert(900, { reason: "late" })], policy);
    expect(placed[1]?.incident).toMatchObject({ first_seen: 900, last_seen: 1000, reason: "first" });
  });

  it("keeps the highest severity of its alerts", () => {
    const { placed } = placeAll(
      null,
      [alert(0, { severity: "medium" }), alert(1, { severity: "critical" }), alert(2, { severity: "low" })],
      policy,
    );
    expect(placed[2]?.incident.severity).toBe("critical");
  });

  it("never joins a resolved incident: the attack came back, so it is a new one", () => {
    const { open } = place(null, alert(1000), policy);
    const resolved = { ...open, incident: withIncidentStatus(open.incident, "resolved", 2000) };
    expect(place(resolved, alert(1100), policy).placed.placement).toBe("opened");
  });

  it("joins an acknowledged incident, whose status its new alerts share", () => {
    const { open } = place(null, alert(1000), policy);
    const acknowledged = { ...open, incident: withIncidentStatus(open.incident, "acknowledged", 1050) };
    expect(place(acknowledged, alert(1100), policy).placed).toMatchObject({
      placement: "joined",
      incident: { status: "acknowledged", alerts: 2 },
    });
  });

  it("counts a redelivered alert once", () => {
    const first = alert(1000);
    const second = alert(1010);
    const { open } = placeAll(null, [first, second], policy);
    const again = placeAll(open, [first, second], policy);
    expect(again.placed.map((p) => p.placement)).toEqual(["repeated", "repeated"]);
    expect(again.open?.incident.alerts).toBe(2);
  });

  it("keeps rules and subjects apart only through the tracker's key; latestStates lists each incident once at its last state", () => {
    const { placed } = placeAll(null, [alert(0), alert(10), alert(5000)], policy);
    expect(latestStates(placed).map((i) => [i.alerts, i.last_seen])).toEqual([
      [2, 10],
      [1, 5000],
    ]);
  });
});
