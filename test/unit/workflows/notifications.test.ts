import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeEmail } from '../../../shared/adapters/mail/compose.js';
import type { MemoryEmailSender, MemoryWebhookSender } from '../../../shared/adapters/memory/notifier.js';
import { verifyWebhook } from '../../../shared/adapters/webhooks/signing.js';
import type { NotificationRecord } from '../../../shared/ports/notifier.js';
import { notificationId } from '../../../shared/usecases/workflows/notifications.js';
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
      secret: TEST_SECRET,
    });
    expect(JSON.parse(post!.body)).toMatchObject({
      type: 'approval.signoff-requested',
      data: { topic: 'agreement:agr_01JTEST00000' },
    });
  });
});

const T0 = Date.parse('2026-03-02T09:30:00Z');

const hook = (id: string, secretEnv = 'TEST_WEBHOOK_SECRET', businessUnit?: string) => ({
  id,
  url: `https://${id}.example/hook`,
  events: ['approval.*'],
  secretEnv,
  ...(businessUnit ? { businessUnit } : {}),
});

describe('notifications: fan-out, delivery outcomes and retries', () => {
  it('queues the e-mail and one webhook per matching subscription, each under a key of its own, and counts them', async () => {
    const { notifications, store, webhooks } = testNotifications({
      distribution: {
        webhooks: [hook('chat'), hook('ops'), hook('retail', 'TEST_WEBHOOK_SECRET', 'retail')],
      },
    });
    expect(await notifications.notify(REQUEST)).toMatchObject({ queued: 3 });
    expect((await store.list({})).map((n) => [n.channel, n.id]).sort()).toEqual(
      [
        ['email', notificationId(`email|${REQUEST.key}`)],
        ['webhook', notificationId(`webhook|chat|${REQUEST.key}`)],
        ['webhook', notificationId(`webhook|ops|${REQUEST.key}`)],
      ].sort(),
    );
    // Another cause queues its own records beside these.
    expect(await notifications.notify({ ...REQUEST, key: `${REQUEST.key}/again` })).toMatchObject({
      queued: 3,
    });
    expect(await store.list({})).toHaveLength(6);
    expect(await notifications.dispatch()).toEqual({ sent: 6, retried: 0, dead: 0 });
    expect((webhooks as MemoryWebhookSender).posts.map((p) => p.url).sort()).toEqual([
      'https://chat.example/hook',
      'https://chat.example/hook',
      'https://ops.example/hook',
      'https://ops.example/hook',
    ]);
  });

  it("puts the request's data into the webhook payload beside its topic and subject", async () => {
    const { notifications, webhooks } = testNotifications({ distribution: { webhooks: [hook('chat')] } });
    await notifications.notify({ ...REQUEST, data: { taskId: 'tsk_1', capacity: 'legal' } });
    await notifications.dispatch();
    const [post] = (webhooks as MemoryWebhookSender).posts;
    expect(JSON.parse(post!.body)).toEqual({
      type: 'approval.signoff-requested',
      timestamp: '2026-03-02T09:30:00.000Z',
      data: {
        topic: 'agreement:agr_01JTEST00000',
        subject: 'Sign-off requested: Card authorisation SLA (legal)',
        taskId: 'tsk_1',
        capacity: 'legal',
      },
    });
  });

  it("escapes every character HTML gives a meaning to in the HTML part's paragraphs and links, so a name cannot inject markup", async () => {
    const { notifications, store } = testNotifications();
    await notifications.notify({
      ...REQUEST,
      paragraphs: [`Q&A <b>"Tom's"</b> <script>alert(1)</script>`],
      links: [{ label: 'R&D <x>', url: 'http://localhost:3000/v1/tasks?a=1&b="2"' }],
    });
    const [n] = await store.list({});
    expect(n!.email!.html).toContain(
      '<p>Q&amp;A &lt;b&gt;&quot;Tom&#39;s&quot;&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
    expect(n!.email!.html).toContain(
      '<p><a href="http://localhost:3000/v1/tasks?a=1&amp;b=&quot;2&quot;">R&amp;D &lt;x&gt;</a></p>',
    );
    expect(n!.email!.html).not.toContain('<script>');
  });

  it('writes the plain text of a message without links as its paragraphs alone', async () => {
    const { notifications, store } = testNotifications();
    await notifications.notify({ ...REQUEST, links: [] });
    const [n] = await store.list({});
    expect(n!.email!.text).toBe(
      'Card authorisation SLA (agr_01JTEST00000, version 2) waits for your sign-off as legal.\n\n' +
        "It is due by 2026-03-04T09:00:00.000Z; reminders follow, then escalation along the agreement's matrix.",
    );
  });

  it.each([200, 204, 299])('counts a webhook answered %i as delivered', async (status) => {
    const { notifications, store, webhooks } = testNotifications({
      distribution: { webhooks: [hook('chat')] },
    });
    (webhooks as MemoryWebhookSender).status = status;
    await notifications.notify({ ...REQUEST, to: [], lists: [] });
    expect(await notifications.dispatch()).toEqual({ sent: 1, retried: 0, dead: 0 });
    const [n] = await store.list({});
    expect(n).toMatchObject({ status: 'sent', attempts: 1, sentAt: '2026-03-02T09:30:00.000Z' });
    expect(n!.lastError).toBeUndefined();
    expect((webhooks as MemoryWebhookSender).posts).toHaveLength(1);
  });

  it.each([100, 199, 300, 304, 404, 500])(
    'does not count a webhook answered %i as delivered: it is retried after the first wait, naming the status',
    async (status) => {
      const { notifications, store, webhooks } = testNotifications({
        distribution: { webhooks: [hook('chat')] },
      });
      (webhooks as MemoryWebhookSender).status = status;
      await notifications.notify({ ...REQUEST, to: [], lists: [] });
      expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 1, dead: 0 });
      const [n] = await store.list({});
      expect(n).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: T0 + 30_000,
        lastError: `the endpoint answered ${status}`,
      });
      expect(n!.sentAt).toBeUndefined();
    },
  );

  it('dead-letters a webhook answered 500 at every attempt after the sixth, counting it dead once', async () => {
    let now = T0;
    const { notifications, store, webhooks } = testNotifications({
      now: () => new Date(now),
      distribution: { webhooks: [hook('chat')] },
    });
    (webhooks as MemoryWebhookSender).status = 500;
    await notifications.notify({ ...REQUEST, to: [], lists: [] });
    for (const wait of [30, 120, 600, 1800, 3600]) {
      expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 1, dead: 0 });
      now += wait * 1000;
    }
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 0, dead: 1 });
    const [n] = await store.list({});
    expect(n).toMatchObject({ status: 'dead', attempts: 6, lastError: 'the endpoint answered 500' });
    expect(n!.sentAt).toBeUndefined();
    now += 86_400_000;
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 0, dead: 0 });
    expect((webhooks as MemoryWebhookSender).posts).toHaveLength(6);
  });

  it('waits the last wait of the schedule again for every attempt beyond its end', async () => {
    let now = T0;
    const { notifications, store, email } = testNotifications({
      now: () => new Date(now),
      policy: { maxAttempts: 5, backoffSeconds: [30, 120] },
    });
    (email as MemoryEmailSender).failNext = 10;
    await notifications.notify(REQUEST);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 1, dead: 0 });
      const [n] = await store.list({});
      waits.push((n!.nextAttemptAt - now) / 1000);
      now = n!.nextAttemptAt;
    }
    expect(waits).toEqual([30, 120, 120, 120]);
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 0, dead: 1 });
  });

  it('does not post a webhook whose signing secret is missing: it is retried, naming the variable', async () => {
    const { notifications, store, webhooks } = testNotifications({
      distribution: { webhooks: [hook('chat', 'UNSET_WEBHOOK_SECRET')] },
    });
    await notifications.notify({ ...REQUEST, to: [], lists: [] });
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 1, dead: 0 });
    const [n] = await store.list({});
    expect(n).toMatchObject({ status: 'pending', lastError: 'no signing secret in UNSET_WEBHOOK_SECRET' });
    expect((webhooks as MemoryWebhookSender).posts).toHaveLength(0);
  });

  it('sends a notification only through the channel it names: one without content for that channel is not sent', async () => {
    const { notifications, store, email, webhooks } = testNotifications();
    const base = {
      topic: REQUEST.topic,
      event: REQUEST.event,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: T0,
      createdAt: '2026-03-02T09:00:00.000Z',
    };
    const message = {
      id: 'ntf_mail',
      from: { name: 'Accord', email: 'accord@accord.local' },
      to: [{ email: 'owen.service@accord.local' }],
      subject: 'A message',
      text: 'Hello.',
      html: '<p>Hello.</p>',
      date: '2026-03-02T09:00:00.000Z',
    };
    const records: NotificationRecord[] = [
      { ...base, id: 'ntf_webhook_with_mail', channel: 'webhook', email: message },
      {
        ...base,
        id: 'ntf_mail_with_webhook',
        channel: 'email',
        webhook: { url: 'https://chat.example/hook', secretRef: 'TEST_WEBHOOK_SECRET', payload: {} },
      },
      { ...base, id: 'ntf_empty', channel: 'email' },
    ];
    for (const r of records) await store.enqueue(r);
    expect(await notifications.dispatch()).toEqual({ sent: 0, retried: 3, dead: 0 });
    expect((await store.list({})).map((n) => [n.id, n.status, n.lastError]).sort()).toEqual([
      ['ntf_empty', 'pending', 'a notification without content'],
      ['ntf_mail_with_webhook', 'pending', 'a notification without content'],
      ['ntf_webhook_with_mail', 'pending', 'a notification without content'],
    ]);
    expect((email as MemoryEmailSender).sent).toHaveLength(0);
    expect((webhooks as MemoryWebhookSender).posts).toHaveLength(0);
  });
});
