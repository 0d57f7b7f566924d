import type { HighPriorityAlert, HighPriorityAlertType } from "@soc/shared";
import type { Notification } from "../notification.ts";

/** What a template needs besides the alert; from the alerter's configuration, never from the alert. */
export interface RenderContext {
  dashboardUrl: string;
  /** GitHub's web origin (github.com or a GitHub Enterprise host): the only place a leak link may point. */
  githubWebUrl: string;
}

/** Turns one alert type into a notification; pure. */
export interface AlertTemplate {
  type: HighPriorityAlertType;
  render(alert: HighPriorityAlert, context: RenderContext): Notification;
}

export const alertLink = (alert: HighPriorityAlert, context: RenderContext): string | null =>
  alert.log_id === null
    ? null
    : `${context.dashboardUrl.replace(/\/$/, "")}/#/alerts?id=${encodeURIComponent(alert.log_id)}`;
