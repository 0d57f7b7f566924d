// Public face of @soc/api: the app factory and its pieces, for main(), the embedded runner and tests.
export { createApp } from "./app.ts";
export type { ApiDeps } from "./deps.ts";
export { generateApiKey, keyAccess, parseApiKeys, ROLES, type AccessControl, type ApiKey, type Role } from "./auth.ts";
export { apiEnvSchema, parseApiEnv, type ApiEnv } from "./config.ts";
export { openApiDocument } from "./openapi.ts";
export { createMemoryDecisionStore } from "./decisions/memory-store.ts";
export { startAutoBan } from "./decisions/auto-ban-consumer.ts";
export { autoBanRulesSetting, type AutoBanRules } from "./decisions/auto-ban.ts";
