import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mskIamTokenProvider, refreshingToken, signWithDefaultCredentials, type SignedToken } from "./msk-iam-token.ts";

/** A signer that counts its signings and issues tokens valid for `lifetimeMs` from the fake clock. */
function fakeSigner(clock: { now: number }, lifetimeMs = 900_000) {
  const state = { signed: 0, fail: false };
  const sign = async (): Promise<SignedToken> => {
    await Promise.resolve();
    if (state.fail) throw new Error("no credentials");
    state.signed += 1;
    return { token: `token-${state.signed}`, expiryTime: clock.now + lifetimeMs };
  };
  return { state, sign };
}

describe("the MSK IAM token cache", () => {
  it("reuses a token until 80% of its lifetime has passed, then signs a new one", async () => {
    const clock = { now: 1_000_000 };
    const { state, sign } = fakeSigner(clock);
    const token = refreshingToken(sign, () => clock.now);
    expect(await token()).toBe("token-1");
    clock.now += 719_000;
    expect(await token()).toBe("token-1");
    clock.now += 1_000;
    expect(await token()).toBe("token-2");
    expect(state.signed).toBe(2);
  });

  it("signs once for concurrent connections, and tries again after a failed signing", async () => {
    const clock = { now: 0 };
    const { state, sign } = fakeSigner(clock);
    const token = refreshingToken(sign, () => clock.now);
    state.fail = true;
    await expect(token()).rejects.toThrow("no credentials");
    state.fail = false;
    expect(await Promise.all([token(), token(), token()])).toEqual(["token-1", "token-1", "token-1"]);
    expect(state.signed).toBe(1);
  });
});

const AWS_KEYS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_PROFILE",
  "AWS_ROLE_ARN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

describe("MSK IAM tokens from AWS's signer (static credentials, nothing on the network)", () => {
  const saved = new Map(AWS_KEYS.map((key) => [key, process.env[key]]));
  beforeEach(() => {
    for (const key of AWS_KEYS) delete process.env[key];
    // No instance metadata, no shared config files: only what the test puts in the environment.
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    });
  });
  afterEach(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("is a base64url presigned kafka-cluster:Connect URL for the region, naming the access key, with an expiry", async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIAFAKEEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "fake-secret-key",
      AWS_SESSION_TOKEN: "fake-session-token",
    });
    const before = Date.now();
    const { token, expiryTime } = await signWithDefaultCredentials("eu-west-1");
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(token, "base64url").toString("utf8"));
    expect(url.protocol).toBe("https:");
    expect(url.hostname).toBe("kafka.eu-west-1.amazonaws.com");
    expect(url.searchParams.get("Action")).toBe("kafka-cluster:Connect");
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(
      /^AKIAFAKEEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/,
    );
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("fake-session-token");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    // The secret key signs; it is never in the token.
    expect(url.toString()).not.toContain("fake-secret-key");
    // X-Amz-Date has whole seconds, so the expiry may fall up to a second before now + 900 s.
    expect(expiryTime).toBeGreaterThanOrEqual(before + 899_000);
    expect(expiryTime).toBeLessThanOrEqual(Date.now() + 900_000);
  });

  it("is what kafkajs' oauthBearerProvider hands the broker", async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIAFAKEEXAMPLE", AWS_SECRET_ACCESS_KEY: "fake-secret-key" });
    const { value } = await mskIamTokenProvider("us-east-1")();
    expect(new URL(Buffer.from(value, "base64url").toString("utf8")).hostname).toBe("kafka.us-east-1.amazonaws.com");
  });

  it("names the region and the credential chain when no credentials are found", async () => {
    await expect(signWithDefaultCredentials("eu-west-1")).rejects.toThrow(
      /^AWS_MSK_IAM: cannot sign a token for eu-west-1: .*IRSA or EKS Pod Identity/,
    );
  });
});
