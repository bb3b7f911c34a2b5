/** The CDK context the infra tests synthesize with (test/infra/support/synth-templates.ts). */

/** A pull data source with its token in Secrets Manager (test/infra/data-sources.test.ts). */
export const DATA_SOURCES = [
  {
    name: 'prometheus-main',
    type: 'Prometheus',
    url: 'https://prometheus.example.com',
    bearerTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:accord/prometheus-AbCdEf',
  },
];

/** A ticketing tool whose signing secret is in Secrets Manager (test/infra/inbound-webhooks.test.ts). */
export const INBOUND_WEBHOOK_TOOLS = [
  {
    tool: 'jira-payments',
    secretArns: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:accord/jira-payments-AbCdEf'],
    businessUnits: ['payments'],
  },
];
