import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/build.js';
import { INBOUND_WEBHOOK_TOOLS } from './support/context.js';
import { deploymentTemplate, synthesized } from './support/templates.js';

type Json = Record<string, any>;
const SECRET = INBOUND_WEBHOOK_TOOLS[0]!.secretArns[0]!;

// The ticketing tools that may update RCA and CAPA items, on AWS: each tool's scope in the functions' environment,
// its signing secret in Secrets Manager, readable by the inbound webhook's function alone.
describe('inbound webhook tools on AWS (secrets in Secrets Manager)', () => {
  it('gives the functions the tools without any secret, and only the inbound webhook function the secret', async () => {
    const app = await synthesized('timestream');
    const t = deploymentTemplate(app.stacks[0]!);
    const fns = Object.entries(t.findResources('AWS::Lambda::Function')) as [string, { Properties: Json }][];
    const withTools = fns.filter(
      ([, f]) => f.Properties.Environment?.Variables?.ACCORD_INBOUND_WEBHOOK_TOOLS,
    );
    expect(withTools.length).toBeGreaterThan(0);
    expect(
      JSON.parse(withTools[0]![1].Properties.Environment.Variables.ACCORD_INBOUND_WEBHOOK_TOOLS),
    ).toEqual(INBOUND_WEBHOOK_TOOLS);
    const readers = Object.entries(t.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(SECRET))
      .map(([id, p]) => {
        const st = (p.Properties.PolicyDocument.Statement as Json[]).find((s) =>
          ([] as string[]).concat(s.Resource).includes(SECRET),
        )!;
        expect(st.Action).toBe('secretsmanager:GetSecretValue');
        return id;
      });
    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatch(/^WebhooksTasks/);
  });

  it('refuses a secret in the CDK context, a tool without a scope and a tool named twice', () => {
    const build = (tools: unknown) => () =>
      buildApp({ context: { regions: ['eu-west-1'], inboundWebhookTools: tools }, checks: false });
    expect(
      build([{ tool: 'jira', secrets: ['whsec_YWFhYWFhYWFhYWFhYWFhYWFhYWE='], businessUnits: ['*'] }]),
    ).toThrow(/inboundWebhookTools: secrets are refused here: give secretArns/);
    expect(build([{ tool: 'jira', secretArns: [SECRET] }])).toThrow(
      /inboundWebhookTools\.0\.businessUnits: names no business unit and no service/,
    );
    expect(build([...INBOUND_WEBHOOK_TOOLS, ...INBOUND_WEBHOOK_TOOLS])).toThrow(
      /inboundWebhookTools: each tool is named once/,
    );
  });
});
