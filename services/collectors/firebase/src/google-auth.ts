/**
 * A service account's OAuth access token by the JWT-bearer grant (RFC 7523): an RS256-signed
 * assertion exchanged at the account's token_uri; cached until shortly before it expires.
 */
import { createSign } from "node:crypto";
import { z } from "zod";
import type { Secret } from "@soc/shared";

export const serviceAccountSchema = z.object({
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  token_uri: z.url(),
});
export type ServiceAccount = z.infer<typeof serviceAccountSchema>;

const base64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

export function signedAssertion(account: ServiceAccount, scope: string, nowSeconds: number): string {
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const claims = base64url(
    JSON.stringify({
      iss: account.client_email,
      scope,
      aud: account.token_uri,
      iat: nowSeconds,
      exp: nowSeconds + 3600,
    }),
  );
  const signature = createSign("RSA-SHA256").update(`${header}.${claims}`).sign(account.private_key);
  return `${header}.${claims}.${base64url(signature)}`;
}

export function accessTokenProvider(
  credential: Secret,
  scope: string,
  now: () => number = Date.now,
): () => Promise<string> {
  const account = serviceAccountSchema.parse(JSON.parse(credential.reveal()));
  let cached: { token: string; expiresAt: number } | null = null;
  return async () => {
    if (cached !== null && cached.expiresAt - 60_000 > now()) return cached.token;
    const response = await fetch(account.token_uri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: signedAssertion(account, scope, Math.floor(now() / 1000)),
      }),
    });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
    const body = z.object({ access_token: z.string(), expires_in: z.number() }).parse(await response.json());
    cached = { token: body.access_token, expiresAt: now() + body.expires_in * 1000 };
    return cached.token;
  };
}
