import type { WebhookRequest, WebhookSender } from '../../ports/notifier.js';

/** Posts signed webhooks with fetch; a slow endpoint is cut off after `timeoutMs` (the dispatcher retries). */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs = 5000) {}

  async post(req: WebhookRequest): Promise<{ status: number }> {
    const res = await fetch(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  }
}
