import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoMigrationCheckpoints } from '../adapters/dynamodb/migrations.js';
import { DynamoViolationStore } from '../adapters/dynamodb/objectives.js';
import {
  DynamoExecutionIndex,
  DynamoGovernanceRequestStore,
  DynamoNotificationStore,
  DynamoRemediationStore,
  DynamoWorkTaskStore,
} from '../adapters/dynamodb/workflows.js';
import { SesEmailSender } from '../adapters/ses/email.js';
import { StepFunctionsWorkflowEngine } from '../adapters/sfn/engine.js';
import { HttpWebhookSender } from '../adapters/webhooks/http.js';
import { inboundVerifier, webhookHeaders } from '../adapters/webhooks/signing.js';
import { loadDistributionPolicy, loadWorkflowPolicy } from '../policy/workflows.js';
import type { AgreementStore } from '../ports/agreements.js';
import type { ArchiveStore } from '../ports/archive.js';
import type { Clock } from '../ports/clock.js';
import type { ServiceStore } from '../ports/services.js';
import type { AgreementUseCases } from '../usecases/agreements.js';
import { DataMigrations } from '../usecases/migrations.js';
import { buildWorkflowServices, type WorkflowServices } from '../usecases/workflows/index.js';
import { Notifications } from '../usecases/workflows/notifications.js';
import { AWS_ENV, type Config, inboundTools } from './config.js';

/**
 * Replaced at bundle time (esbuild `define`, infra/aws/bundling.ts): false in every function but the notification
 * dispatcher, so nodemailer's MailComposer drops out of their bundles. Undefined when unbundled.
 */
declare const __ACCORD_MAIL__: boolean | undefined;

/**
 * Workflows on AWS: Step Functions Standard (the state machines of shared/workflows.ts, deployed by
 * infra/aws/constructs/workflows.ts), tasks and the notification queue in the workflows table, e-mail by SES v2.
 * Clients are built once per cold start.
 */
export function composeAwsWorkflows(o: {
  config: Config;
  doc: DynamoDBDocumentClient;
  table: string;
  /** The data table (violations live there). */
  dataTable: string;
  agreements: AgreementStore;
  useCases: () => AgreementUseCases;
  services: ServiceStore;
  clock: Clock;
}): WorkflowServices {
  const prefix = o.config[AWS_ENV.stateMachineArnPrefix];
  if (!prefix)
    throw new Error(
      `bad configuration: ${AWS_ENV.stateMachineArnPrefix} must be set with the workflows table`,
    );
  const engine = new StepFunctionsWorkflowEngine(
    new SFNClient({}),
    (w) => `${prefix}${w}`,
    new DynamoExecutionIndex(o.doc, o.table),
    o.clock,
  );
  const tasks = new DynamoWorkTaskStore(o.doc, o.table);
  const policy = loadWorkflowPolicy();
  let archiveStore: { get: ArchiveStore['get'] } | undefined;
  const notifications = new Notifications({
    store: new DynamoNotificationStore(o.doc, o.table),
    email: new SesEmailSender(new SESv2Client({}), o.config[AWS_ENV.sesConfigurationSet]),
    webhooks: new HttpWebhookSender(),
    // Only the dispatcher composes: MailComposer loads on first use. Report e-mails attach archived files by
    // reference: they are read from the archive bucket (and their SHA-256 checked) when composed.
    compose: async (m) => {
      if (typeof __ACCORD_MAIL__ === 'undefined' || __ACCORD_MAIL__) {
        const { composeEmail, composeWithArchive } = await import('../adapters/mail/compose.js');
        const bucket = o.config[AWS_ENV.archiveBucket];
        if (!m.attachments?.length || !bucket) return composeEmail(m);
        const [{ S3Client }, { S3ArchiveStore }] = await Promise.all([
          import('@aws-sdk/client-s3'),
          import('../adapters/s3/archive.js'),
        ]);
        archiveStore ??= new S3ArchiveStore(new S3Client({}), bucket, o.clock);
        const store = archiveStore;
        return composeWithArchive((key) => store.get(key))(m);
      }
      throw new Error(
        'e-mail composition is not bundled in this function (only the notification dispatcher)',
      );
    },
    sign: webhookHeaders,
    secret: (name) => process.env[name],
    clock: o.clock,
    distribution: loadDistributionPolicy(),
    policy: policy.notifications,
  });
  // Tools configured by secret ARN: read by this function (the inbound webhook's, the only one granted them) on the
  // first message, through one client made then.
  let secrets: SecretsManagerClient | undefined;
  const verifyInbound = inboundVerifier(
    inboundTools(o.config),
    () => o.clock.now().getTime(),
    async (arn) => {
      secrets ??= new SecretsManagerClient({});
      return (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '';
    },
  );
  const services = buildWorkflowServices({
    engine,
    tasks,
    remediation: new DynamoRemediationStore(o.doc, o.table),
    requests: new DynamoGovernanceRequestStore(o.doc, o.table),
    notifications,
    violations: new DynamoViolationStore(o.doc, o.dataTable),
    agreements: o.agreements,
    useCases: o.useCases,
    services: o.services,
    clock: o.clock,
    policy,
    baseUrl: o.config.ACCORD_PUBLIC_URL,
    ...(verifyInbound ? { verifyInbound } : {}),
  });
  services.migrations = new DataMigrations({
    migrations: [
      {
        id: 'tasks-by-assignee',
        description: 'index the tasks stored before the index by assignee (their key items and akeys)',
        step: (from, budget) => tasks.indexLegacyTasksStep(from, budget),
      },
    ],
    checkpoints: new DynamoMigrationCheckpoints(o.doc, o.table),
    clock: o.clock,
  });
  return services;
}
