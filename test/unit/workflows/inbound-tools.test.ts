import { describe, expect, it } from 'vitest';
import { inboundVerifier, webhookHeaders } from '../../../shared/adapters/webhooks/signing.js';
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

  it('answers which tool signed a message, by the secret that verifies it (any of a tool’s secrets)', () => {
    const now = Date.parse('2026-03-02T09:00:00Z');
    const verify = inboundVerifier(
      [
        { tool: 'jira', secrets: [A, C], businessUnits: ['payments'] },
        { tool: 'pd', secrets: [B], services: ['svc_x'] },
      ],
      () => now,
    )!;
    const body = '{"externalRef":"CAPA-1","status":"closed"}';
    expect(verify(webhookHeaders(C, 'msg_1', now, body), body)).toEqual({
      id: 'msg_1',
      tool: { tool: 'jira', secrets: [A, C], businessUnits: ['payments'] },
    });
    expect(verify(webhookHeaders(B, 'msg_2', now, body), body).tool.tool).toBe('pd');
    expect(() =>
      verify(webhookHeaders('whsec_ZGRkZGRkZGRkZGRkZGRkZGRkZGQ=', 'msg_3', now, body), body),
    ).toThrow('the webhook signature does not match');
  });
});
