import { describe, expect, it } from 'vitest';
import { listsFor, recipientsFor, webhooksFor } from '../../../shared/domain/workflows/recipients.js';
import type { DistributionList, WebhookSubscription } from '../../../shared/policy/workflows.js';

const lists: DistributionList[] = [
  {
    id: 'cards-managers',
    match: { role: 'sla-manager', businessUnit: 'bu-cards' },
    members: [{ name: 'Ada', email: 'ada@example.com' }, { email: 'ops@example.com' }],
  },
  { id: 'finance', match: { capacity: 'finance' }, members: [{ name: 'Fin', email: 'FIN@example.com' }] },
  // A match field given as undefined constrains nothing.
  {
    id: 'agr-1',
    match: { agreementId: 'agr_1', role: undefined },
    members: [{ email: 'owner@example.com' }],
  },
] as DistributionList[];

describe('listsFor: the distribution lists a notification’s facts match', () => {
  it('matches a list when every field of its match equals the facts', () => {
    expect(
      listsFor(lists, { role: 'sla-manager', businessUnit: 'bu-cards', agreementId: 'agr_9' }).map(
        (l) => l.id,
      ),
    ).toEqual(['cards-managers']);
  });

  it('does not match a list when only some of its fields match', () => {
    expect(listsFor(lists, { role: 'sla-manager', businessUnit: 'bu-loans' })).toEqual([]);
  });

  it('ignores a match field left undefined, whatever the facts say of it', () => {
    expect(listsFor(lists, { agreementId: 'agr_1', role: 'auditor' }).map((l) => l.id)).toEqual(['agr-1']);
  });

  it('keeps the lists’ order when several match', () => {
    expect(
      listsFor(lists, {
        role: 'sla-manager',
        businessUnit: 'bu-cards',
        capacity: 'finance',
        agreementId: 'agr_1',
      }).map((l) => l.id),
    ).toEqual(['cards-managers', 'finance', 'agr-1']);
  });
});

describe('recipientsFor: who receives one notification', () => {
  it('addresses the named people first, then each matching list’s members, each address once without regard to case', () => {
    const out = recipientsFor(
      lists,
      [{ capacity: 'finance' }, { role: 'sla-manager', businessUnit: 'bu-cards' }, { capacity: 'finance' }],
      [{ name: 'Owner', email: 'Ada@Example.com' }, { email: 'fin@example.com' }],
    );
    expect(out).toStrictEqual([
      { name: 'Owner', email: 'Ada@Example.com' },
      { email: 'fin@example.com' },
      { email: 'ops@example.com' },
    ]);
  });

  it('keeps a member’s name when there is one and adds no name key when there is none', () => {
    expect(recipientsFor(lists, [{ role: 'sla-manager', businessUnit: 'bu-cards' }])).toStrictEqual([
      { name: 'Ada', email: 'ada@example.com' },
      { email: 'ops@example.com' },
    ]);
  });

  it('drops the extra fields of a named recipient and an empty name', () => {
    const named = [{ name: '', email: 'a@example.com', phone: '+44' } as { name: string; email: string }];
    expect(recipientsFor([], [], named)).toStrictEqual([{ email: 'a@example.com' }]);
  });

  it('tells two addresses apart that only differ beyond case (straße and strasse are two mailboxes)', () => {
    expect(
      recipientsFor([], [], [{ email: 'straße@example.de' }, { email: 'STRASSE@example.de' }]).map(
        (r) => r.email,
      ),
    ).toEqual(['straße@example.de', 'STRASSE@example.de']);
  });

  it('has nobody to address when nothing is named and no list matches', () => {
    expect(recipientsFor(lists, [{ role: 'auditor' }])).toEqual([]);
  });
});

const subs = [
  { id: 'all-remediation', url: 'https://a.example/h', events: ['remediation.*'], secretEnv: 'HOOK_A' },
  {
    id: 'cards-activation',
    url: 'https://b.example/h',
    events: ['agreement.activated', 'agreement.expired'],
    secretEnv: 'HOOK_B',
    businessUnit: 'bu-cards',
  },
] as WebhookSubscription[];

describe('webhooksFor: the subscriptions an event goes to', () => {
  it('matches a trailing * to any suffix of the event name', () => {
    expect(webhooksFor(subs, 'remediation.escalated', 'bu-loans').map((s) => s.id)).toEqual([
      'all-remediation',
    ]);
  });

  it('does not take a * pattern as matching an event that shares only its first letters', () => {
    expect(webhooksFor(subs, 'rca.opened', 'bu-loans')).toEqual([]);
    expect(webhooksFor(subs, 'remediation', 'bu-loans')).toEqual([]);
  });

  it('matches a named event exactly, any one of the subscription’s events, in its business unit only', () => {
    expect(webhooksFor(subs, 'agreement.expired', 'bu-cards').map((s) => s.id)).toEqual(['cards-activation']);
    expect(webhooksFor(subs, 'agreement.expired', 'bu-loans')).toEqual([]);
    expect(webhooksFor(subs, 'agreement.activated.late', 'bu-cards')).toEqual([]);
  });

  it('sends an event to every subscription that matches, in order', () => {
    const both = [...subs, { ...subs[0]!, id: 'cards-all', events: ['*'], businessUnit: 'bu-cards' }];
    expect(webhooksFor(both, 'remediation.opened', 'bu-cards').map((s) => s.id)).toEqual([
      'all-remediation',
      'cards-all',
    ]);
  });
});
