import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeEmail } from '../../../shared/adapters/mail/compose.js';
import type { MemoryEmailSender, MemoryWebhookSender } from '../../../shared/adapters/memory/notifier.js';
import { verifyWebhook } from '../../../shared/adapters/webhooks/signing.js';
import { TEST_SECRET, testNotifications } from '../../helpers/notify.js';

const REQUEST = {
  key: 'approval/agr_01JTEST00000/v2/legal/requested',
  topic: 'agreement:agr_01JTEST00000',
  event: 'approval.signoff-requested',
  businessUnit: 'payments',
  lists: [{ capacity: 'legal', businessUnit: 'payments', agreementId: 'agr_01JTEST00000' }],
  to: [{ name: 'Owen Service', email: 'owen.service@accord.local' }],
  subject: 'Sign-off requested: Card authorisation SLA (legal)',
  paragraphs: [
    'Card authorisation SLA (agr_01JTEST00000, version 2) waits for your sign-off as legal.',
    "It is due by 2026-03-04T09:00:00.000Z; reminders follow, then escalation along the agreement's matrix.",
  ],
  links: [
    { label: 'Your task', url: 'http://localhost:3000/v1/tasks/tsk_1' },
    { label: 'The agreement', url: 'http://localhost:3000/v1/agreements/agr_01JTEST00000' },
  ],
  headers: { 'X-Accord-Task': 'tsk_1' },
};

describe('notifications', () => {
  it('composes the same RFC 5322 bytes as the golden .eml: headers, a text and an HTML part, links, recipients', async () => {
    const { notifications, store } = testNotifications();
    await notifications.notify(REQUEST);
    const [n] = await store.list({});
    const raw = (await composeEmail(n!.email!)).raw.toString('utf8');
    const golden = 'test/golden/email/signoff-requested.eml';
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, raw);
    expect(raw).toBe(readFileSync(golden, 'utf8'));
  });

  it('addresses the named people first, then the members of every matching list, each once', async () => {
    const { notifications } = testNotifications({
      distribution: {
        lists: [
          {
            id: 'legal',
            match: { capacity: 'legal' },
            members: [{ name: 'Lena Legal', email: 'legal@accord.local' }],
          },
          {
            id: 'pay',
            match: { businessUnit: 'payments' },
            members: [
              { name: 'Owen', email: 'OWEN.service@accord.local' },
              { name: 'Paula', email: 'paula@accord.local' },
            ],
          },
          {
            id: 'retail',
            match: { businessUnit: 'retail' },
            members: [{ name: 'Rita', email: 'rita@accord.local' }],
          },
          {
            id: 'legal-retail',
            match: { capacity: 'legal', businessUnit: 'retail' },
            members: [{ name: 'Lars', email: 'lars@accord.local' }],
          },
        ],
      },
    });
    const { recipients } = await notifications.notify(REQUEST);
    expect(recipients.map((r) => r.email)).toEqual([
      'owen.service@accord.local',
      'legal@accord.local',
      'paula@accord.local',
    ]);
  });

  it('queues a notification once per cause: the same key again (a replayed step) adds nothing', async () => {
    const { notifications, store } = testNotifications();
    expect((await notifications.notify(REQUEST)).queued).toBe(1);
    expect((await notifications.notify({ ...REQUEST, subject: 'again' })).queued).toBe(0);
    expect(await store.list({})).toHaveLength(1);
  });

  it('retries a failed send with the policy backoff, then sends once the server is back', async () => {
    let now = Date.parse('2026-03-02T09:30:00Z');
    const { notifications, store, email } = testNotifications({ now: () => new Date(now) });
    (email as MemoryEmailSender).failNext = 2;
    await notifications.notify(REQUEST);
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 1, dead: 0 });
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 0, dead: 0 });
    now += 30_000;
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 1, dead: 0 });
    now += 119_000;
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 0, dead: 0 });
    now += 1000;
    expect(await notifications.dispatch()).toEqual({ sent: 1, retried: 0, dead: 0 });
    const [n] = await store.list({});
    expect(n).toMatchObject({ status: 'sent', attempts: 3, lastError: 'mail server unavailable' });
    expect((email as MemoryEmailSender).sent).toHaveLength(1);
  });

  it('dead-letters a webhook whose endpoint keeps failing, while the e-mail of the same event goes out', async () => {
    let now = Date.parse('2026-03-02T09:30:00Z');
    const { notifications, store, webhooks, email } = testNotifications({
      now: () => new Date(now),
      distribution: {
        webhooks: [
          {
            id: 'chat',
            url: 'https://chat.example/hook',
            events: ['approval.*'],
            secretEnv: 'TEST_WEBHOOK_SECRET',
          },
        ],
      },
    });
    (webhooks as MemoryWebhookSender).status = 503;
    await notifications.notify(REQUEST);
    for (let i = 0; i < 6; i++) {
      await notifications.dispatch();
      now += 3600_000;
    }
    const hooks = await store.list({ status: 'dead' });
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      channel: 'webhook',
      attempts: 6,
      lastError: 'the endpoint answered 503',
    });
    expect((email as MemoryEmailSender).sent).toHaveLength(1);
    expect((webhooks as MemoryWebhookSender).posts).toHaveLength(6);
  });

  it('signs each webhook delivery so the receiver can verify it, the same id on every retry', async () => {
    const { notifications, webhooks } = testNotifications({
      distribution: {
        webhooks: [
          {
            id: 'chat',
            url: 'https://chat.example/hook',
            events: ['approval.signoff-requested'],
            secretEnv: 'TEST_WEBHOOK_SECRET',
          },
        ],
      },
    });
    await notifications.notify(REQUEST);
    await notifications.dispatch();
    const [post] = (webhooks as MemoryWebhookSender).posts;
    expect(
      verifyWebhook([TEST_SECRET], post!.headers, post!.body, Date.parse('2026-03-02T09:30:00Z')),
    ).toEqual({
      id: post!.id,
      timestamp: Date.parse('2026-03-02T09:30:00Z') / 1000,
    });
    expect(JSON.parse(post!.body)).toMatchObject({
      type: 'approval.signoff-requested',
      data: { topic: 'agreement:agr_01JTEST00000' },
    });
  });
});
