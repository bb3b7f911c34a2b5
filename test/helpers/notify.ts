import { composeEmail } from '../../shared/adapters/mail/compose.js';
import {
  MemoryEmailSender,
  MemoryNotificationStore,
  MemoryWebhookSender,
} from '../../shared/adapters/memory/notifier.js';
import { webhookHeaders } from '../../shared/adapters/webhooks/signing.js';
import {
  type DistributionPolicy,
  loadDistributionPolicy,
  loadWorkflowPolicy,
  type WorkflowPolicy,
} from '../../shared/policy/workflows.js';
import type { EmailSender, NotificationStore, WebhookSender } from '../../shared/ports/notifier.js';
import { Notifications } from '../../shared/usecases/workflows/notifications.js';

export const TEST_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Notifications over memory adapters (or the ones given), with a settable clock. */
export function testNotifications(
  o: {
    now?: () => Date;
    store?: NotificationStore;
    email?: EmailSender;
    webhooks?: WebhookSender;
    distribution?: Partial<DistributionPolicy>;
    /** Retry policy instead of the shipped one's (attempts, backoff). */
    policy?: Partial<WorkflowPolicy['notifications']>;
  } = {},
) {
  const store = o.store ?? new MemoryNotificationStore();
  const email = o.email ?? new MemoryEmailSender();
  const webhooks = o.webhooks ?? new MemoryWebhookSender();
  const notifications = new Notifications({
    store,
    email,
    webhooks,
    compose: (m) => composeEmail(m),
    sign: webhookHeaders,
    secret: (name) => (name === 'TEST_WEBHOOK_SECRET' ? TEST_SECRET : undefined),
    clock: { now: o.now ?? (() => new Date('2026-03-02T09:30:00Z')) },
    distribution: { ...loadDistributionPolicy(), ...o.distribution },
    policy: { ...loadWorkflowPolicy().notifications, ...o.policy },
  });
  return { notifications, store, email, webhooks };
}
