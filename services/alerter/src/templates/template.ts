import type { HighPriorityAlert, HighPriorityAlertType } from "@soc/shared";
import type { Notification } from "../notification.ts";

/** Turns one alert type into a notification; pure. */
export interface AlertTemplate {
  type: HighPriorityAlertType;
  render(alert: HighPriorityAlert, dashboardUrl: string): Notification;
}

export const alertLink = (alert: HighPriorityAlert, dashboardUrl: string): string | null =>
  alert.log_id === null ? null : `${dashboardUrl.replace(/\/$/, "")}/#/alerts?id=${encodeURIComponent(alert.log_id)}`;
