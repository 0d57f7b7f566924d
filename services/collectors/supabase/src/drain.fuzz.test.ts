import fc from "fast-check";
import { drainHandler } from "@soc/collector-framework";
import { describeDrainFuzz, drainBatch, type DrainFuzzTarget } from "@soc/collector-framework/testing";
import { Secret } from "@soc/shared";
import { supabaseDrainSource } from "./source.ts";

const TOKEN = "drain-token-123";
const MAX_BODY = 64 * 1024;

const row = (marker: string) =>
  fc.record({
    id: fc.constant(marker),
    timestamp: fc.integer({ min: 0, max: 2_000_000_000_000_000 }),
    event_message: fc
      .record({
        msg: fc.string({ maxLength: 200 }),
        remote_addr: fc.oneof(
          fc.ipV4(),
          fc.ipV6(),
          fc.tuple(fc.ipV6(), fc.nat({ max: 65_535 })).map(([ip, port]) => `[${ip}]:${port}`),
          fc.string({ maxLength: 50 }),
          fc.jsonValue(),
        ),
      })
      .map((event) => JSON.stringify({ ...event, marker })),
    metadata: fc.option(fc.jsonValue(), { nil: undefined }),
  });

const supabase: DrainFuzzTarget = {
  credentials: () => ({ "x-drain-token": TOKEN }),
  credentialHeader: "x-drain-token",
  wrongCredential: "drain-token-124",
  validBody: (marker) => drainBatch(row(marker)),
};

describeDrainFuzz(
  "Supabase",
  supabase,
  (bus) =>
    drainHandler({
      source: supabaseDrainSource({ headerName: "X-Drain-Token", secret: new Secret(TOKEN) }),
      bus,
      maxBodyBytes: MAX_BODY,
    }),
  MAX_BODY,
);
