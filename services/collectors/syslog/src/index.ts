export { parseSyslogCollectorEnv, syslogCollectorEnvSchema, type SyslogCollectorEnv } from "./config.ts";
export { parseSyslog, type ParseResult, type SyslogMessage } from "./parse.ts";
export { toLogMessage } from "./ecs.ts";
