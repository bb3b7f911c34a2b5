import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/build.js';
import { deploymentTemplate, synthesized } from './support/templates.js';

type Json = Record<string, any>;
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:accord/prometheus-AbCdEf';

describe('pull data sources on AWS (public HTTPS endpoints, tokens in Secrets Manager)', () => {
  it('gives every function the data sources without any token, and only the two pulling functions the secret', async () => {
    const app = await synthesized('timestream');
    const t = deploymentTemplate(app.stacks[0]!);
    const fns = Object.entries(t.findResources('AWS::Lambda::Function')) as [string, { Properties: Json }][];
    const withSources = fns.filter(([, f]) => f.Properties.Environment?.Variables?.ACCORD_DATA_SOURCES);
    expect(withSources.length).toBeGreaterThan(10);
    const value = JSON.parse(withSources[0]![1].Properties.Environment.Variables.ACCORD_DATA_SOURCES);
    expect(value).toEqual([
      {
        name: 'prometheus-main',
        type: 'Prometheus',
        url: 'https://prometheus.example.com',
        bearerTokenSecretArn: SECRET,
        stepSeconds: 60,
        lookbackMinutes: 15,
      },
    ]);
    const readers = Object.entries(t.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(SECRET))
      .map(([id, p]) => {
        const st = (p.Properties.PolicyDocument.Statement as Json[]).find((s) =>
          ([] as string[]).concat(s.Action).includes('secretsmanager:GetSecretValue'),
        )!;
        expect(st.Resource).toBe(SECRET);
        return id;
      });
    expect(readers.length).toBe(2);
    expect(readers.some((id) => id.startsWith('JobPullDataSources'))).toBe(true);
    expect(readers.some((id) => id.startsWith('EcosystemPullHistory'))).toBe(true);
  });

  it('refuses a token in the CDK context, and a plain-HTTP endpoint', () => {
    const build = (d: unknown) => () =>
      buildApp({ context: { regions: ['eu-west-1'], dataSources: d }, checks: false });
    expect(
      build([{ name: 'p', type: 'Prometheus', url: 'https://p.example.com', bearerToken: 'secret' }]),
    ).toThrow(/bearerToken is refused here: give bearerTokenSecretArn/);
    expect(build([{ name: 'p', type: 'Prometheus', url: 'http://p.example.com' }])).toThrow(
      /each url must be https:\/\/ on AWS/,
    );
  });
});
