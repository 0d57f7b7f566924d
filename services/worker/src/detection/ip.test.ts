import { describe, expect, it } from "vitest";
import { extractIpv4 } from "./ip.ts";

describe("extractIpv4", () => {
  it.each([
    ["failed login attempt for user admin from 192.168.1.105", "192.168.1.105"],
    ["[client 203.0.113.5:5555] AH01617", "203.0.113.5"],
    ["version 999.1.1.1 then 10.0.0.1", "10.0.0.1"],
    ["no address here", null],
    ["1.2.3", null],
  ])("finds the address in %j", (line, expected) => {
    expect(extractIpv4(line)).toBe(expected);
  });
});
