import { describe, expect, it } from 'vitest';
import {
  INBOUND_SECRET_TTL_MS,
  inboundVerifier,
  webhookHeaders,
} from '../../../shared/adapters/webhooks/signing.js';
import { UnavailableError } from '../../../shared/domain/errors.js';
import { inboundTools, readConfig } from '../../../shared/runtime/config.js';

// The ticketing tools that may update RCA and CAPA items (red team, wave 36: one unscoped list of secrets let any
// tool close any team's item): each tool has its own secrets and scope; the old variable is one tool for every unit.

const A = 'whsec_YWFhYWFhYWFhYWFhYWFhYWFhYWE=';
const B = 'whsec_YmJiYmJiYmJiYmJiYmJiYmJiYmI=';
const C = 'whsec_Y2NjY2NjY2NjY2NjY2NjY2NjY2M=';
const tools = (json: unknown, legacy?: string) =>
  inboundTools(
    readConfig({
      ACCORD_INBOUND_WEBHOOK_TOOLS: JSON.stringify(json),
      ...(legacy ? { ACCORD_INBOUND_WEBHOOK_SECRETS: legacy } : {}),
    }),
  );

describe('inbound webhook tools (ACCORD_INBOUND_WEBHOOK_TOOLS)', () => {
  it('reads each tool with its secrets and scope, and the old secrets as the tool `webhook` of every unit', () => {
    expect(
      tools(
        [
          { tool: 'jira-payments', secrets: [A], businessUnits: ['payments'] },
          { tool: 'pagerduty', secrets: [B], services: ['svc_core-ledger'] },
        ],
        ` ${C} `,
      ),
    ).toEqual([
      { tool: 'jira-payments', secrets: [A], businessUnits: ['payments'] },
      { tool: 'pagerduty', secrets: [B], services: ['svc_core-ledger'] },
      { tool: 'webhook', secrets: [C], businessUnits: ['*'] },
    ]);
    expect(inboundTools(readConfig({}))).toEqual([]);
    expect(inboundVerifier([], () => 0)).toBeUndefined();
  });

  it('refuses, at start, a tool with no scope, a bad name, a short secret, a name twice or a secret of two tools, naming it', () => {
    expect(() => tools([{ tool: 'jira', secrets: [A] }])).toThrow(
      'bad configuration: ACCORD_INBOUND_WEBHOOK_TOOLS [0.businessUnits]: names no business unit and no service',
    );
    expect(() => tools([{ tool: 'jira', secrets: [A], businessUnits: [], services: [] }])).toThrow(
      /\[0\.businessUnits\]: names no business unit/,
    );
    expect(() => tools([{ tool: 'Jira Cloud', secrets: [A], businessUnits: ['*'] }])).toThrow(
      /\[0\.tool\]: is a slug/,
    );
    expect(() => tools([{ tool: 'jira', secrets: ['whsec_c2hvcnQ='], businessUnits: ['*'] }])).toThrow(
      'bad configuration: a secret of the inbound webhook tool jira: a webhook secret must hold at least 16 bytes',
    );
    expect(() =>
      tools([
        { tool: 'jira', secrets: [A], businessUnits: ['*'] },
        { tool: 'jira', secrets: [B], businessUnits: ['*'] },
      ]),
    ).toThrow('bad configuration: the inbound webhook tool jira is configured twice');
    expect(() => tools([{ tool: 'jira', secrets: [A], businessUnits: ['payments'] }], A)).toThrow(
      'bad configuration: one secret belongs to the inbound webhook tools jira and webhook',
    );
    expect(() => tools([{ tool: 'webhook', secrets: [A], businessUnits: ['*'] }], B)).toThrow(
      'the inbound webhook tool webhook is configured twice',
    );
    expect(() => inboundTools(readConfig({ ACCORD_INBOUND_WEBHOOK_TOOLS: '[{' }))).toThrow(
      /^bad configuration: ACCORD_INBOUND_WEBHOOK_TOOLS is not JSON/,
    );
    expect(() => tools([{ tool: 'jira', secrets: [A], businessUnits: ['*'], extra: 1 }])).toThrow(
      /\[0\]: Unrecognized key: "extra"/,
    );
  });

  it('answers which tool signed a message, by the secret that verifies it (any of a tool’s secrets)', async () => {
    const now = Date.parse('2026-03-02T09:00:00Z');
    const verify = inboundVerifier(
      [
        { tool: 'jira', secrets: [A, C], businessUnits: ['payments'] },
        { tool: 'pd', secrets: [B], services: ['svc_x'] },
      ],
      () => now,
    )!;
    const body = '{"externalRef":"CAPA-1","status":"closed"}';
    expect(await verify(webhookHeaders(C, 'msg_1', now, body), body)).toEqual({
      id: 'msg_1',
      tool: { tool: 'jira', secrets: [A, C], businessUnits: ['payments'] },
    });
    expect((await verify(webhookHeaders(B, 'msg_2', now, body), body)).tool.tool).toBe('pd');
    await expect(
      verify(webhookHeaders('whsec_ZGRkZGRkZGRkZGRkZGRkZGRkZGQ=', 'msg_3', now, body), body),
    ).rejects.toThrow('the webhook signature does not match');
  });
});

describe('inbound webhook tools on AWS (secretArns, read from Secrets Manager)', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:accord/jira-AbCdEf';
  const body = '{"externalRef":"CAPA-1","status":"closed"}';

  it('takes secretArns or secrets, one of the two, and refuses secretArns where no Secrets Manager is read', () => {
    expect(tools([{ tool: 'jira', secretArns: [ARN], businessUnits: ['payments'] }])).toEqual([
      { tool: 'jira', secretArns: [ARN], businessUnits: ['payments'] },
    ]);
    expect(() => tools([{ tool: 'jira', secrets: [A], secretArns: [ARN], businessUnits: ['*'] }])).toThrow(
      /\[0\.secrets\]: give secrets \(the embedded default\) or secretArns \(AWS\), one of the two/,
    );
    expect(() => tools([{ tool: 'jira', businessUnits: ['*'] }])).toThrow(/one of the two/);
    expect(() => tools([{ tool: 'jira', secretArns: ['accord/jira'], businessUnits: ['*'] }])).toThrow(
      /\[0\.secretArns\.0\]: is a Secrets Manager secret ARN/,
    );
    // The embedded default reads no Secrets Manager: such a tool stops the start, naming it.
    expect(() =>
      inboundVerifier([{ tool: 'jira', secretArns: [ARN], businessUnits: ['*'] }], () => 0),
    ).toThrow(
      'bad configuration: the inbound webhook tool jira names secretArns, which are read from Secrets Manager on AWS only',
    );
  });

  it('reads the secrets on the first message, keeps them 5 minutes, then reads them again (a rotation shows)', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const reads: string[] = [];
    let secretString = ` ${A} , ${C}`;
    const verify = inboundVerifier(
      [
        { tool: 'jira', secretArns: [ARN], businessUnits: ['payments'] },
        { tool: 'pd', secrets: [B], services: ['svc_x'] },
      ],
      () => now,
      async (arn) => {
        reads.push(arn);
        return secretString;
      },
    )!;
    expect(reads).toEqual([]);
    expect((await verify(webhookHeaders(C, 'msg_1', now, body), body)).tool.tool).toBe('jira');
    expect((await verify(webhookHeaders(B, 'msg_2', now, body), body)).tool.tool).toBe('pd');
    expect(reads).toEqual([ARN]);
    // Rotated to a new secret D, A gone: within 5 minutes the secrets read still verify, then D alone.
    const D = 'whsec_ZGRkZGRkZGRkZGRkZGRkZGRkZGQ=';
    secretString = D;
    now += INBOUND_SECRET_TTL_MS - 1;
    expect((await verify(webhookHeaders(A, 'msg_3', now, body), body)).tool.tool).toBe('jira');
    expect(reads).toHaveLength(1);
    now += 1;
    expect((await verify(webhookHeaders(D, 'msg_4', now, body), body)).tool.tool).toBe('jira');
    expect(reads).toHaveLength(2);
    await expect(verify(webhookHeaders(A, 'msg_5', now, body), body)).rejects.toThrow(
      'the webhook signature does not match',
    );
  });

  it('answers 503 naming the tool when its secret cannot be read, and reads it again on the next message', async () => {
    const now = Date.parse('2026-03-02T09:00:00Z');
    let fail = true;
    const verify = inboundVerifier(
      [{ tool: 'jira', secretArns: [ARN], businessUnits: ['*'] }],
      () => now,
      async () => {
        if (fail) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
        return A;
      },
    )!;
    const e = (await verify(webhookHeaders(A, 'msg_1', now, body), body).catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toBe(
      'the signing secret of the inbound webhook tool jira cannot be read (AccessDeniedException)',
    );
    fail = false;
    expect((await verify(webhookHeaders(A, 'msg_2', now, body), body)).id).toBe('msg_2');
  });
});
