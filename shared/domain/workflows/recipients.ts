/** Who hears of what: distribution lists (data) matched by role, sign-off capacity, business unit and agreement. */
import type { DistributionList, WebhookSubscription } from '../../policy/workflows.js';

export interface Recipient {
  name?: string | undefined;
  email: string;
}

/** The facts a notification is about; a list receives it when every field of its `match` equals these. */
export interface RecipientQuery {
  role?: string | undefined;
  capacity?: string | undefined;
  businessUnit?: string | undefined;
  agreementId?: string | undefined;
}

export function listsFor(lists: readonly DistributionList[], q: RecipientQuery): DistributionList[] {
  return lists.filter((l) =>
    Object.entries(l.match).every(([k, v]) => v === undefined || q[k as keyof RecipientQuery] === v),
  );
}

/**
 * The recipients of one notification: the named people first (an owner, an escalation contact), then the members
 * of every list that matches any of the queries; each address once (compared without case), in that order.
 */
export function recipientsFor(
  lists: readonly DistributionList[],
  queries: readonly RecipientQuery[],
  named: readonly Recipient[] = [],
): Recipient[] {
  const out: Recipient[] = [];
  const seen = new Set<string>();
  const add = (r: Recipient) => {
    const k = r.email.toLowerCase();
    if (seen.has(k)) return;
    seen.add(k);
    out.push(r.name ? { name: r.name, email: r.email } : { email: r.email });
  };
  for (const r of named) add(r);
  for (const q of queries) for (const l of listsFor(lists, q)) for (const m of l.members) add(m);
  return out;
}

/** Webhook subscriptions for an event (`remediation.escalated` matches `remediation.*`), in a business unit. */
export function webhooksFor(
  subs: readonly WebhookSubscription[],
  event: string,
  businessUnit: string,
): WebhookSubscription[] {
  return subs.filter(
    (s) =>
      (s.businessUnit === undefined || s.businessUnit === businessUnit) &&
      s.events.some((e) => (e.endsWith('*') ? event.startsWith(e.slice(0, -1)) : e === event)),
  );
}
