import { describe, expect, it } from "vitest";
import { leaseDecision } from "./leader-election.ts";

const lease = (holderIdentity: string, renewTime = "2026-01-01T00:00:00.000000Z") => ({
  holderIdentity,
  renewTime,
  leaseDurationSeconds: 15,
});

describe("leaseDecision", () => {
  it.each([
    { case: "our own lease is renewed", spec: lease("me"), observed: null, now: 0, decision: "renew" },
    { case: "a released lease is taken at once", spec: lease(""), observed: null, now: 0, decision: "acquire" },
    { case: "no lease record at all is taken", spec: undefined, observed: null, now: 0, decision: "acquire" },
    {
      case: "another holder seen for the first time is waited for",
      spec: lease("other"),
      observed: null,
      now: 99_000,
      decision: "wait",
    },
    {
      case: "another holder renewing is waited for",
      spec: lease("other", "t2"),
      observed: { record: "other@t1", atMs: 0 },
      now: 60_000,
      decision: "wait",
    },
    {
      case: "a holder silent for less than the lease is waited for",
      spec: lease("other", "t1"),
      observed: { record: "other@t1", atMs: 0 },
      now: 14_999,
      decision: "wait",
    },
    {
      case: "a holder silent for the whole lease is replaced",
      spec: lease("other", "t1"),
      observed: { record: "other@t1", atMs: 0 },
      now: 15_000,
      decision: "acquire",
    },
  ])("$case", ({ spec, observed, now, decision }) => {
    expect(leaseDecision(spec, "me", observed, now, 15)).toBe(decision);
  });
});
