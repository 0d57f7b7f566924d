/** The registry of templates: adding an alert type is one file and one line here. */
import type { HighPriorityAlert, HighPriorityAlertType } from "@soc/shared";
import type { Notification } from "../notification.ts";
import { bruteForceTemplate } from "./brute-force.ts";
import { credentialLeakTemplate } from "./credential-leak.ts";
import type { AlertTemplate, RenderContext } from "./template.ts";
import { trafficSpikeTemplate } from "./traffic-spike.ts";

const TEMPLATES: Record<HighPriorityAlertType, AlertTemplate> = {
  brute_force: bruteForceTemplate,
  traffic_spike: trafficSpikeTemplate,
  credential_leak: credentialLeakTemplate,
};

export function renderAlert(alert: HighPriorityAlert, context: RenderContext): Notification {
  return TEMPLATES[alert.type].render(alert, context);
}
