/**
 * The bouncer stream (CrowdSec's GET /v1/decisions/stream) as a diff per bouncer: the API keeps
 * the bans each bouncer was last sent (its view) and answers what changed since. Comparing sets,
 * not timestamps, loses nothing to clock skew between replicas or to a bouncer that stayed away
 * for days: whatever it was sent and is no longer enforceable comes back as deleted.
 */
import type { Ban } from "./ban.ts";

export interface StreamAnswer {
  new: Ban[];
  deleted: Ban[];
  /** What the bouncer holds after applying this answer: its view for the next pull. */
  view: Ban[];
  /** False when the view stays as it was (most pulls), so it need not be written again. */
  changed: boolean;
}

/**
 * `view` is null for a bouncer never seen. With `startup` the bouncer starts afresh: every
 * enforceable ban is new, and what its last view held that is no longer enforceable is deleted
 * (it may still apply those from before its restart).
 * A deletion is left out while another ban still covers the same target, so a ban replaced by a
 * longer one never makes the bouncer drop the address.
 */
export function streamDiff(view: readonly Ban[] | null, enforceable: readonly Ban[], startup: boolean): StreamAnswer {
  const sent = new Set((startup ? [] : (view ?? [])).map((ban) => ban.id));
  const current = new Set(enforceable.map((ban) => ban.id));
  const covered = new Set(enforceable.map((ban) => ban.ip));
  const added = enforceable.filter((ban) => !sent.has(ban.id));
  const deleted = (view ?? []).filter((ban) => !current.has(ban.id) && !covered.has(ban.ip));
  const held = new Set((view ?? []).map((ban) => ban.id));
  const changed = view === null || view.length !== enforceable.length || enforceable.some((ban) => !held.has(ban.id));
  return { new: added, deleted, view: [...enforceable], changed };
}
