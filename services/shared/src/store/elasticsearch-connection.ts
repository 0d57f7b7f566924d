/**
 * The one place an Elasticsearch client is built: URL, CA and credentials from the validated
 * environment (elasticsearchEnvShape), and start-up failures turned into messages that name the setting.
 */
import { Client, errors } from "@elastic/elasticsearch";
import type { ElasticsearchEnv, Secret } from "../config.ts";
import { isCertificateForAnotherHost, isUntrustedCertificate } from "../tls-errors.ts";

export type ElasticsearchAuth = { apiKey: Secret } | { username: string; password: Secret };

export interface ElasticsearchConnection {
  /** http(s)://host:port, never with credentials in it. */
  url: string;
  /** PEM CA certificates trusted for the server's certificate, besides the system's. */
  ca?: string;
  auth?: ElasticsearchAuth;
}

export function elasticsearchConnectionOf(env: ElasticsearchEnv): ElasticsearchConnection {
  const auth: ElasticsearchAuth | undefined =
    env.ELASTICSEARCH_API_KEY !== undefined
      ? { apiKey: env.ELASTICSEARCH_API_KEY }
      : env.ELASTICSEARCH_USERNAME !== undefined && env.ELASTICSEARCH_PASSWORD !== undefined
        ? { username: env.ELASTICSEARCH_USERNAME, password: env.ELASTICSEARCH_PASSWORD }
        : undefined;
  return {
    url: env.ELASTICSEARCH_URL,
    ...(env.ELASTICSEARCH_CA === undefined ? {} : { ca: env.ELASTICSEARCH_CA }),
    ...(auth === undefined ? {} : { auth }),
  };
}

const clientAuth = (auth: ElasticsearchAuth) =>
  "apiKey" in auth ? { apiKey: auth.apiKey.reveal() } : { username: auth.username, password: auth.password.reveal() };

export function createElasticsearchClient(connection: ElasticsearchConnection): Client {
  return new Client({
    node: connection.url,
    requestTimeout: 30_000,
    maxRetries: 2,
    ...(connection.ca === undefined ? {} : { tls: { ca: connection.ca } }),
    ...(connection.auth === undefined ? {} : { auth: clientAuth(connection.auth) }),
    // The default, said out loud: errors carry the request's headers with Authorization replaced.
    redaction: { type: "replace", additionalKeys: [] },
  });
}

/** What went wrong, naming the setting to fix, for failures a configuration causes; otherwise undefined. */
export function explainElasticsearchFailure(error: unknown, connection: ElasticsearchConnection): string | undefined {
  const where = `Elasticsearch at ${connection.url}`;
  if (error instanceof errors.ResponseError && error.statusCode === 401) {
    const sent =
      connection.auth === undefined
        ? "no credentials were sent"
        : "apiKey" in connection.auth
          ? "it refused ELASTICSEARCH_API_KEY"
          : `it refused user ${connection.auth.username}`;
    return `${where} requires authentication and ${sent} (401): set ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD (each also as _FILE)`;
  }
  if (error instanceof errors.ResponseError && error.statusCode === 403) {
    return `${where} denied a request to these credentials (403), which lack a privilege the pipeline needs (docs/kubernetes.md lists them): ${error.message}`;
  }
  if (error instanceof errors.ConnectionError && isUntrustedCertificate(error.message)) {
    return `${where}: TLS certificate not trusted (${error.message}); set ELASTICSEARCH_CA_FILE to the CA that signed the server's certificate`;
  }
  if (error instanceof errors.ConnectionError && isCertificateForAnotherHost(error.message)) {
    return `${where}: the TLS certificate is not for this host (${error.message}); use a host name the certificate holds in ELASTICSEARCH_URL`;
  }
  return undefined;
}

/** Runs `action`, re-throwing a configuration-caused failure with its explanation (the original as cause). */
export async function explained<T>(connection: ElasticsearchConnection, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const explanation = explainElasticsearchFailure(error, connection);
    throw explanation === undefined ? error : new Error(explanation, { cause: error });
  }
}
