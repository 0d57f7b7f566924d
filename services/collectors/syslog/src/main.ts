/** The syslog collector as a service: UDP, TCP and TLS listeners publishing to `logs`. */
import { runCollector } from "@soc/collector-framework";
import { parseSyslogCollectorEnv } from "./config.ts";
import { listenerSettings, syslogSource } from "./source.ts";

runCollector({
  name: "syslog",
  parseEnv: parseSyslogCollectorEnv,
  sources: (env) => ({ listen: syslogSource(listenerSettings(env), env.SYSLOG_MAX_QUEUED) }),
});
