/** Node's TLS failure messages, sorted by the setting that fixes them (shared by the Kafka, Elasticsearch and Redis clients). */

/** A chain Node cannot verify: the CA setting is missing or names another CA. */
export const isUntrustedCertificate = (message: string): boolean =>
  /unable to (verify|get local issuer)|self[- ]signed certificate|certificate (has expired|is not yet valid)/i.test(
    message,
  );

/** A trusted certificate for another host: the URL must use a name the certificate holds. */
export const isCertificateForAnotherHost = (message: string): boolean => /Hostname\/IP does not match/i.test(message);
