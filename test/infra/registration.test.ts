import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccordRegistration, type AccordRegistrationProps } from '../../infra/aws/constructs/registration.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:accord/provisioning-token-AbCdEf';

function teamProps(over: Partial<AccordRegistrationProps> = {}): (stack: Stack) => AccordRegistrationProps {
  return (stack) => {
    const { reason: _r, ...service } = serviceBody();
    const { reason: _a, serviceId: _s, ...agreement } = agreementBody({ effectiveFrom: '2027-01-01' });
    return {
      apiUrl: 'https://accord.example.com',
      apiTokenSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Token', SECRET_ARN),
      service,
      agreement,
      ...over,
    };
  };
}

/** A service team's own stack (the example consumer): cdk-nag's AwsSolutions and Serverless packs run at synth. */
function teamStack(props = teamProps()): { app: App; stack: Stack } {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const stack = new Stack(app, 'PaymentsTeam', { env: { account: '111122223333', region: 'eu-west-1' } });
  new AccordRegistration(stack, 'Accord', props(stack));
  return { app, stack };
}

describe('the AccordRegistration construct in a service team stack', () => {
  let template: Template;
  beforeAll(() => {
    const { app, stack } = teamStack();
    app.synth();
    template = Template.fromStack(stack);
  }, 120_000);

  it('synthesizes one Custom::AccordRegistration carrying the validated spec as JSON', () => {
    const resources = template.findResources('Custom::AccordRegistration');
    expect(Object.keys(resources)).toHaveLength(1);
    const spec = JSON.parse(Object.values(resources)[0]!.Properties.Spec);
    expect(spec.service.id).toBe('svc_payments-gateway');
    expect(spec.agreement.objectives[0].target).toBe(99.9);
    // zod's defaults are filled at synth, so the function and the API see one canonical spec
    expect(spec.agreement.complianceTags).toEqual([]);
  });

  it('gives the onEvent function the API URL and the secret ARN, never the token', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: { ACCORD_API_URL: 'https://accord.example.com/', ACCORD_SECRET_ARN: SECRET_ARN },
      },
      Runtime: 'nodejs24.x',
    });
  });

  it('grants the onEvent role secretsmanager:GetSecretValue on exactly that secret and nothing else of Secrets Manager', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const secretStatements = statements.filter((s: any) =>
      [s.Action].flat().some((a: string) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: SECRET_ARN },
    ]);
    for (const s of statements) {
      expect([s.Resource].flat()).not.toContain('*');
      for (const a of [s.Action].flat()) expect(a).not.toContain('*');
    }
  });

  it('puts no inline secret or token anywhere in the template', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Bearer|SecretString/);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Lambda::Function', Match.objectLike({ Handler: 'index.handler' }));
  });
});

describe('props validation at synth', () => {
  it('rejects an objective target above 100 with an error naming the prop', () => {
    const bad = teamProps();
    expect(() =>
      teamStack((s) => {
        const p = bad(s);
        return {
          ...p,
          agreement: { ...p.agreement, objectives: [{ ...p.agreement.objectives![0]!, target: 120 }] },
        };
      }),
    ).toThrow(/props\.agreement\.objectives\.0\.target/);
  });

  it('rejects a service without an owner, naming props.service.owner', () => {
    expect(() =>
      teamStack((s) => {
        const p = teamProps()(s);
        const { owner: _o, ...service } = p.service;
        return { ...p, service: service as AccordRegistrationProps['service'] };
      }),
    ).toThrow(/props\.service\.owner/);
  });

  it('rejects a plain-http API URL', () => {
    expect(() => teamStack(teamProps({ apiUrl: 'http://accord.example.com' }))).toThrow(
      /props\.apiUrl: must be an https/,
    );
  });

  it('rejects a secret imported by name, whose ARN would need a wildcard', () => {
    expect(() =>
      teamStack((s) => ({
        ...teamProps()(s),
        apiTokenSecret: secretsmanager.Secret.fromSecretNameV2(s, 'ByName', 'accord/provisioning-token'),
      })),
    ).toThrow(/props\.apiTokenSecret: import the secret by its complete ARN/);
  });
});
