/**
 * Amazon MSK's IAM sign-in over SASL/OAUTHBEARER: the token is a SigV4-presigned
 * `kafka-cluster:Connect` URL, signed by AWS's own signer with the default AWS credential chain
 * (IRSA or EKS Pod Identity, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an instance role).
 */

export interface SignedToken {
  token: string;
  /** Epoch milliseconds. */
  expiryTime: number;
}

export type TokenSigner = (region: string) => Promise<SignedToken>;

/** The share of a token's lifetime after which a new one is signed (librdkafka refreshes at 80% too). */
const REFRESH_AT_SHARE = 0.8;

/**
 * Hands out one token until 80% of its lifetime has passed, then signs a new one; concurrent
 * callers share one signing, and a failed signing is not kept, so the next caller tries again.
 */
export function refreshingToken(sign: () => Promise<SignedToken>, now: () => number = Date.now): () => Promise<string> {
  let current: { token: string; refreshAt: number } | null = null;
  let signing: Promise<string> | null = null;
  const signNew = async (): Promise<string> => {
    const signedAt = now();
    const { token, expiryTime } = await sign();
    current = { token, refreshAt: signedAt + (expiryTime - signedAt) * REFRESH_AT_SHARE };
    return token;
  };
  return () => {
    if (current !== null && now() < current.refreshAt) return Promise.resolve(current.token);
    if (signing === null) {
      signing = signNew();
      const done = (): void => {
        signing = null;
      };
      signing.then(done, done);
    }
    return signing;
  };
}

/** Loaded on first use: only MSK IAM users pay for the AWS SDK's start-up (about 130 ms). */
export const signWithDefaultCredentials: TokenSigner = async (region) => {
  const { generateAuthToken } = await import("aws-msk-iam-sasl-signer-js");
  try {
    return await generateAuthToken({ region });
  } catch (error) {
    throw new Error(
      `AWS_MSK_IAM: cannot sign a token for ${region}: ${(error as Error).message} (the default AWS credential chain: IRSA or EKS Pod Identity, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an instance role)`,
      { cause: error },
    );
  }
};

/** kafkajs' oauthBearerProvider for an MSK cluster in `region`. */
export function mskIamTokenProvider(
  region: string,
  sign: TokenSigner = signWithDefaultCredentials,
): () => Promise<{ value: string }> {
  const token = refreshingToken(() => sign(region));
  return async () => ({ value: await token() });
}
