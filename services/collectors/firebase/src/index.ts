// Public face of the Firebase / Cloud Logging collector.
export { cloudLoggingSource, toLogMessage, DEFAULT_FILTER } from "./source.ts";
export { accessTokenProvider, signedAssertion, serviceAccountSchema } from "./google-auth.ts";
export { parseFirebaseCollectorEnv, firebaseCollectorEnvSchema, type FirebaseCollectorEnv } from "./config.ts";
