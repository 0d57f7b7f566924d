import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logMessageSchema } from "@soc/shared";
import { clientIp } from "./address.ts";

const port = fc.integer({ min: 0, max: 65_535 });
const v4 = fc.ipV4();
const v6 = fc.ipV6();

describe("clientIp: an address with an optional port", () => {
  it("keeps every group of a bare IPv6, where the old port stripping cut the last one off", () => {
    expect(clientIp("2001:db8::1:2")).toBe("2001:db8::1:2");
    fc.assert(fc.property(v6, (ip) => clientIp(ip) === ip));
  });

  it("strips the port only from [v6]:port and v4:port", () => {
    fc.assert(fc.property(v6, port, (ip, p) => clientIp(`[${ip}]:${p}`) === ip && clientIp(`[${ip}]`) === ip));
    fc.assert(fc.property(v4, port, (ip, p) => clientIp(`${ip}:${p}`) === ip && clientIp(ip) === ip));
  });

  it("reads PostgreSQL's connection_from, whose port follows even a bare IPv6", () => {
    fc.assert(fc.property(fc.oneof(v4, v6), port, (ip, p) => clientIp(`${ip}:${p}`, "appended") === ip));
    expect(clientIp("[local]", "appended")).toBeNull();
    expect(clientIp("db.example.com:5432", "appended")).toBeNull();
  });

  it("answers null for anything else, and never a value the log schema would dead-letter", () => {
    for (const junk of [
      "",
      "[",
      "[]:80",
      "[2001:db8::1]x",
      "[2001:db8::1]:",
      "[1.2.3.4]:80",
      "1.2.3.4:",
      "1.2.3.4:123456",
      "1.2.3.4:8o",
      "host:80",
      "fe80::1%eth0",
      "[fe80::1%eth0]:80",
      " 1.2.3.4",
      "001.2.3.4",
    ]) {
      expect(clientIp(junk), junk).toBeNull();
    }
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.ipV6().map((ip) => `${ip}%eth0`),
          fc.tuple(fc.ipV4(), fc.string()).map(([ip, tail]) => `${ip}:${tail}`),
        ),
        fc.constantFrom("optional", "appended"),
        (value, style) => {
          const ip = clientIp(value, style);
          return (
            ip === null || (value.includes(ip) && logMessageSchema.safeParse({ message: "m", source_ip: ip }).success)
          );
        },
      ),
    );
  });
});
