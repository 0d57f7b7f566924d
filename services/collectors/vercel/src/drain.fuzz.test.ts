import { createHmac } from "node:crypto";
import fc from "fast-check";
import { drainHandler } from "@soc/collector-framework";
import { describeDrainFuzz, drainBatch, type DrainFuzzTarget } from "@soc/collector-framework/testing";
import { Secret } from "@soc/shared";
import { vercelDrainSource } from "./drain.ts";

const SECRET = "drain-secret-0123456789";
const MAX_BODY = 64 * 1024;

const entry = (marker: string) =>
  fc.record({
    id: fc.constant(marker),
    message: fc.string({ maxLength: 200 }).map((text) => `${marker} ${text}`),
    timestamp: fc.integer({ min: 0, max: 2_000_000_000_000 }),
    source: fc.constantFrom("lambda", "edge", "static", "build"),
    proxy: fc.record({
      method: fc.constantFrom("GET", "POST"),
      path: fc.oneof(fc.webPath(), fc.string({ maxLength: 3_000 })),
      host: fc.domain(),
      statusCode: fc.integer({ min: -1, max: 599 }),
      clientIp: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 50 })),
    }),
  });

const vercel: DrainFuzzTarget = {
  credentials: (body) => ({ "x-vercel-signature": createHmac("sha1", SECRET).update(body).digest("hex") }),
  credentialHeader: "x-vercel-signature",
  wrongCredential: createHmac("sha1", "not-the-secret").update("x").digest("hex"),
  validBody: (marker) => drainBatch(entry(marker)),
};

describeDrainFuzz(
  "Vercel",
  vercel,
  (bus) =>
    drainHandler({
      source: vercelDrainSource({ secret: new Secret(SECRET), verifyToken: "verify-me" }),
      bus,
      maxBodyBytes: MAX_BODY,
    }),
  MAX_BODY,
);
