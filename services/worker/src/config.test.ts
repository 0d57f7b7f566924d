import { describe, expect, it } from "vitest";
import { ConfigError } from "@soc/shared";
import { parseWorkerEnv } from "./config.ts";

describe("worker configuration", () => {
  it("whitelists nothing unless WHITELISTED_IPS says so (the contract's 192.168.1.1,10.0.0.1 is an example)", () => {
    expect(parseWorkerEnv({}).WHITELISTED_IPS).toEqual([]);
  });

  it("refuses to start with a whitelist entry the API would refuse", () => {
    expect(() => parseWorkerEnv({ WHITELISTED_IPS: "10.0.0.1,0.0.0.0/0" })).toThrow(ConfigError);
    expect(() => parseWorkerEnv({ WHITELISTED_IPS: "10.0.0.1,0.0.0.0/0" })).toThrow(/too broad/);
  });
});
