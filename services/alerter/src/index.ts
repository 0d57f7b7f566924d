// Public face of @soc/alerter.
export { createAlerter, type Alerter, type AlerterDeps } from "./alerter.ts";
export { renderAlert } from "./templates/index.ts";
export { createMemoryDeliveryLog, createRedisDeliveryLog, type DeliveryLog } from "./delivery-log.ts";
export { alerterEnvSchema, channelsOf, parseAlerterEnv, type AlerterEnv } from "./config.ts";
