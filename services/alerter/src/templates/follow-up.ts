import type { FollowUp } from "../noise.ts";
import type { Notification } from "../notification.ts";
import { duration, shown } from "./format.ts";
import { renderAlert } from "./index.ts";
import type { RenderContext } from "./template.ts";

/** "12 more brute-force alerts from 198.51.100.10 were folded into this one in the last 10 minutes." */
export function renderFollowUp(followUp: FollowUp, context: RenderContext): Notification {
  const latest = renderAlert(followUp.alert, context);
  const what = followUp.alert.type.replace("_", "-");
  const source = shown(followUp.alert.source_ip);
  const from = source === null ? "" : ` from ${source}`;
  const plural = followUp.suppressed === 1 ? "alert was" : "alerts were";
  return {
    ...latest,
    id: `${followUp.alert.alert_id}#follow-up`,
    title: `Follow-up: ${latest.title.replace(/^Security alert: /, "")}`,
    text: `Follow-up: ${followUp.suppressed} more ${what} ${plural} suppressed${from} in the last ${duration(followUp.windowSeconds)}. Latest: ${latest.text}`,
  };
}
