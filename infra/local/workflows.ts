import { join } from 'node:path';
import { OutboxEmailSender } from '../../shared/adapters/fs/outbox.js';
import { LocalWorkflowEngine } from '../../shared/adapters/local-sfn/engine.js';
import { substitute } from '../../shared/adapters/local-sfn/transform.js';
import { type ArchiveReader, composeWithArchive } from '../../shared/adapters/mail/compose.js';
import { SmtpEmailSender } from '../../shared/adapters/smtp/email.js';
import type { Db } from '../../shared/adapters/sqlite/db.js';
import { SqliteGovernanceRequestStore } from '../../shared/adapters/sqlite/governance.js';
import { SqliteNotificationStore } from '../../shared/adapters/sqlite/notifications.js';
import { SqliteRemediationStore } from '../../shared/adapters/sqlite/remediation.js';
import { SqliteWorkTaskStore } from '../../shared/adapters/sqlite/tasks.js';
import { SqliteExecutionJournal, SqliteTaskTokenStore } from '../../shared/adapters/sqlite/workflows.js';
import { SqliteWriteBatch } from '../../shared/adapters/sqlite/write-batch.js';
import { HttpWebhookSender } from '../../shared/adapters/webhooks/http.js';
import { inboundVerifier, webhookHeaders } from '../../shared/adapters/webhooks/signing.js';
import { loadDistributionPolicy, loadWorkflowPolicy } from '../../shared/policy/workflows.js';
import type { AgreementStore } from '../../shared/ports/agreements.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { EmailSender } from '../../shared/ports/notifier.js';
import type { ViolationStore } from '../../shared/ports/objectives.js';
import type { ServiceStore } from '../../shared/ports/services.js';
import type { Config } from '../../shared/runtime/config.js';
import { inboundTools } from '../../shared/runtime/config.js';
import { logger } from '../../shared/runtime/powertools.js';
import type { AgreementUseCases } from '../../shared/usecases/agreements.js';
import { buildWorkflowServices, type WorkflowServices } from '../../shared/usecases/workflows/index.js';
import { Notifications } from '../../shared/usecases/workflows/notifications.js';
import { localFunctionArn, readDefinition, WORKFLOWS } from '../../shared/workflows.js';
import { importHandler } from './handlers.js';
import { lambdaContext } from './lambda-context.js';

type TaskHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

export interface LocalWorkflowParts {
  services: WorkflowServices;
  engine: LocalWorkflowEngine;
  email: EmailSender;
  /** Starts the engine's timers (after resuming what a previous process left) and the notification pump. */
  start(): Promise<void>;
  stop(): void;
}

/**
 * The embedded default's workflows: the ASL files of shared/workflows.ts run by aws-local-stepfunctions, each Task
 * routed to the same functions/ handler Step Functions invokes on AWS; executions, tokens, tasks and the
 * notification queue in the one SQLite file; e-mail over SMTP when ACCORD_SMTP_URL is set, else `.eml` files in
 * `<data dir>/outbox/`.
 */
export function composeLocalWorkflows(o: {
  db: Db;
  dataDir: string;
  config: Config;
  clock: Clock;
  agreements: AgreementStore;
  useCases: AgreementUseCases;
  services: ServiceStore;
  violations: ViolationStore;
  /** Reads archived files that e-mails attach by reference (reports). */
  readArchive?: ArchiveReader;
  /** The database's write batch, when the composition root shares it with other writers (its agreement use cases). */
  batch?: SqliteWriteBatch;
}): LocalWorkflowParts {
  const tasks = new SqliteWorkTaskStore(o.db);
  const email: EmailSender = o.config.ACCORD_SMTP_URL
    ? new SmtpEmailSender(o.config.ACCORD_SMTP_URL)
    : new OutboxEmailSender(join(o.dataDir, 'outbox'));
  const policy = loadWorkflowPolicy();
  const notifications = new Notifications({
    store: new SqliteNotificationStore(o.db),
    email,
    webhooks: new HttpWebhookSender(),
    compose: composeWithArchive(o.readArchive ?? (async () => undefined)),
    sign: webhookHeaders,
    secret: (name) => process.env[name],
    clock: o.clock,
    distribution: loadDistributionPolicy(),
    policy: policy.notifications,
  });
  const handlers = new Map<string, string>();
  const definitions = Object.fromEntries(
    WORKFLOWS.map((spec) => {
      const values: Record<string, string> = {};
      for (const [placeholder, { handler }] of Object.entries(spec.substitutions)) {
        values[placeholder] = localFunctionArn(handler);
        handlers.set(values[placeholder]!, handler);
      }
      return [spec.name, substitute(readDefinition(spec), values)];
    }),
  );
  const modules = new Map<string, Promise<TaskHandler>>();
  const engine = new LocalWorkflowEngine({
    definitions,
    journal: new SqliteExecutionJournal(o.db),
    tokens: new SqliteTaskTokenStore(o.db),
    batch:
      o.batch ??
      new SqliteWriteBatch(o.db, (error) =>
        logger.error('workflow write batch failed to commit', { error: error as Error }),
      ),
    clock: o.clock,
    invoke: async (arn, payload, meta) => {
      const handler = handlers.get(arn);
      if (!handler) throw new Error(`${meta.stateName}: no handler for ${arn}`);
      let mod = modules.get(handler);
      if (!mod) {
        mod = importHandler<TaskHandler>(handler).then((m) => m.handler);
        modules.set(handler, mod);
      }
      return (await mod)(payload, lambdaContext(`accord-${handler.replace('/', '-')}`));
    },
    onError: (error, executionId) =>
      logger.error('workflow replay failed', { executionId, error: error as Error }),
  });
  const verifyInbound = inboundVerifier(inboundTools(o.config), () => o.clock.now().getTime());
  const services: WorkflowServices = buildWorkflowServices({
    engine,
    tasks,
    remediation: new SqliteRemediationStore(o.db),
    requests: new SqliteGovernanceRequestStore(o.db),
    notifications,
    violations: o.violations,
    agreements: o.agreements,
    useCases: () => o.useCases,
    services: o.services,
    clock: o.clock,
    policy,
    baseUrl: o.config.ACCORD_PUBLIC_URL,
    ...(verifyInbound ? { verifyInbound } : {}),
  });
  let pump: NodeJS.Timeout | undefined;
  let dispatching = false;
  return {
    services,
    engine,
    email,
    async start() {
      await engine.resumeAndRun(1000);
      pump = setInterval(() => {
        if (dispatching) return;
        dispatching = true;
        notifications
          .dispatch()
          .catch((error: unknown) => logger.error('notification dispatch failed', { error: error as Error }))
          .finally(() => {
            dispatching = false;
          });
      }, 1000);
      pump.unref();
    },
    stop() {
      engine.stop();
      if (pump) clearInterval(pump);
      if (email instanceof SmtpEmailSender) email.close();
    },
  };
}
