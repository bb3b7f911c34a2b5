import { UnavailableError, ValidationError } from '../../domain/errors.js';
import { loadTemplates } from '../../policy/templates.js';
import type { WorkflowPolicy } from '../../policy/workflows.js';
import type { AgreementStore } from '../../ports/agreements.js';
import type { Clock } from '../../ports/clock.js';
import type { GovernanceRequestStore } from '../../ports/governance.js';
import type { ViolationStore } from '../../ports/objectives.js';
import type { RemediationStore } from '../../ports/remediation.js';
import type { ServiceStore } from '../../ports/services.js';
import type { WorkTask, WorkTaskStore } from '../../ports/tasks.js';
import type { WorkflowEngine } from '../../ports/workflows.js';
import type { AgreementUseCases } from '../agreements.js';
import type { DataMigrations } from '../migrations.js';
import { ApprovalWorkflow } from './approval.js';
import { ChangeGateUseCases } from './change-gate.js';
import { ChangeRequestWorkflow } from './change-requests.js';
import { DecommissionUseCases } from './decommission.js';
import { FreezeExceptionUseCases } from './freeze-exceptions.js';
import { ModularAgreementUseCases } from './modular.js';
import type { Notifications } from './notifications.js';
import { WorkflowReconciliation } from './reconcile.js';
import { RemediationWorkflow } from './remediation.js';
import { RenewalWorkflow } from './renewals.js';
import { type InboundVerifier, TaskUseCases } from './tasks.js';
import { TemplateUseCases } from './templates.js';

/** The workflow side of a container: the engine, the workflows' steps, people's tasks and notifications. */
export interface WorkflowServices {
  engine: WorkflowEngine;
  approval: ApprovalWorkflow;
  remediation: RemediationWorkflow;
  changeGate: ChangeGateUseCases;
  tasks: TaskUseCases;
  /** Change requests to active agreements and the change-request state machine's steps (item 4). */
  changeRequests: ChangeRequestWorkflow;
  /** Exceptions to a change freeze, decided through approval (item 7). */
  freezeExceptions: FreezeExceptionUseCases;
  /** Renewal and review reminders, auto-renewal, review outcomes (item 3; the hourly `agreement-renewals` schedule). */
  renewals: RenewalWorkflow;
  /** Service decommissioning: its agreements sunset through the agreement use case (item 3). */
  decommission: DecommissionUseCases;
  /** Agreement templates, versioned data, and drafts made from them (item 5). */
  templates: TemplateUseCases;
  /** Modular agreements: schedules under a master, effective terms with their sources (item 6). */
  modular: ModularAgreementUseCases;
  notifications: Notifications;
  /** Starts again the workflows whose first start failed (the `workflow-starts` schedule). */
  reconciliation: WorkflowReconciliation;
  /**
   * The workflows table's data migrations, a bounded part each `workflow-starts` run (AWS; the embedded default
   * migrates its SQLite file when it opens it, so it has none).
   */
  migrations?: DataMigrations;
}

/** The workflows from a container, or a 503 where this deployment has not wired them. */
export function workflowsIn(container: { workflows?: WorkflowServices | undefined }): WorkflowServices {
  if (!container.workflows) throw new UnavailableError('workflows are not deployed here');
  return container.workflows;
}

export interface WorkflowServiceDeps {
  engine: WorkflowEngine;
  tasks: WorkTaskStore;
  remediation: RemediationStore;
  /** Change requests and freeze exceptions. */
  requests: GovernanceRequestStore;
  notifications: Notifications;
  violations: ViolationStore;
  agreements: AgreementStore;
  /** Lazily: the agreement use cases tell the approval workflow of their changes, so they are built first. */
  useCases: () => AgreementUseCases;
  services: ServiceStore;
  clock: Clock;
  policy: WorkflowPolicy;
  baseUrl: string;
  /** Verifies inbound webhooks from ticketing tools (absent: inbound webhooks are refused). */
  verifyInbound?: InboundVerifier;
}

/** The workflow services both composition roots build, from their own adapters. */
export function buildWorkflowServices(d: WorkflowServiceDeps): WorkflowServices {
  const engine = () => d.engine;
  const approval = new ApprovalWorkflow({
    agreements: d.agreements,
    get useCases() {
      return d.useCases();
    },
    services: d.services,
    tasks: d.tasks,
    engine,
    notifications: d.notifications,
    clock: d.clock,
    policy: d.policy,
    baseUrl: d.baseUrl,
  });
  const remediation = new RemediationWorkflow({
    violations: d.violations,
    agreements: d.agreements,
    remediation: d.remediation,
    tasks: d.tasks,
    engine,
    notifications: d.notifications,
    clock: d.clock,
    policy: d.policy,
    baseUrl: d.baseUrl,
    changeRequests: () => changeRequests,
  });
  const changeRequests = new ChangeRequestWorkflow({
    requests: d.requests,
    agreements: d.agreements,
    get useCases() {
      return d.useCases();
    },
    services: d.services,
    tasks: d.tasks,
    engine,
    notifications: d.notifications,
    clock: d.clock,
    policy: d.policy,
    baseUrl: d.baseUrl,
  });
  const freezeExceptions = new FreezeExceptionUseCases({
    requests: d.requests,
    services: d.services,
    tasks: d.tasks,
    notifications: d.notifications,
    clock: d.clock,
    policy: d.policy.freezeExceptions,
    baseUrl: d.baseUrl,
  });
  const renewals = new RenewalWorkflow({
    agreements: d.agreements,
    get useCases() {
      return d.useCases();
    },
    services: d.services,
    tasks: d.tasks,
    notifications: d.notifications,
    clock: d.clock,
    policy: d.policy.renewal,
    baseUrl: d.baseUrl,
  });
  let tasks: TaskUseCases;
  const capa = (by: string, t: WorkTask, resolution: string) => remediation.closeCapa(by, t, resolution);
  tasks = new TaskUseCases({
    tasks: d.tasks,
    get agreements() {
      return d.useCases();
    },
    engine,
    clock: d.clock,
    completions: {
      rca: (p, t, body) => {
        if (!body.rca) {
          throw new ValidationError('an RCA task is completed with the analysis', [
            { path: 'rca', problem: 'is required' },
          ]);
        }
        return remediation.submitRca(p, t, body.rca);
      },
      capa: (p, t, body) => capa(p.subject, t, body.resolution ?? body.reason),
      'change-assessment': (p, t, body) => changeRequests.assess(p, t, body),
      'change-signoff': (p, t, body) => changeRequests.signOff(p, t, body),
      'freeze-exception': (p, t, body) => freezeExceptions.decide(p, t, body),
      review: (p, t, body) => renewals.complete(p, t, body),
    },
    ...(d.verifyInbound ? { verifyInbound: d.verifyInbound } : {}),
    inbound: async (t, u, delivery) => {
      if (u.status === 'closed' && t.kind === 'capa') {
        // Stryker disable next-line StringLiteral: TaskUseCases.inbound, the only caller, always passes `by` (the tool's, or webhook:<message id>)
        const outcome = await capa(u.by ?? 'webhook', t, u.resolution ?? u.note ?? 'closed in the team tool');
        // Stryker disable next-line StringLiteral: TaskUseCases.inbound, the only caller, always passes `by` (the tool's, or webhook:<message id>)
        await tasks.settle(t, outcome, u.by ?? 'webhook');
      } else {
        // Stryker disable next-line StringLiteral: TaskUseCases.inbound, the only caller, always passes `by` (the tool's, or webhook:<message id>)
        await remediation.note(u.by ?? 'webhook', t, `${u.status}${u.note ? `: ${u.note}` : ''}`, delivery);
      }
    },
  });
  return {
    engine: d.engine,
    reconciliation: new WorkflowReconciliation({
      agreements: d.agreements,
      violations: d.violations,
      requests: d.requests,
      engine,
      changeRequests: () => changeRequests,
    }),
    approval,
    remediation,
    tasks,
    notifications: d.notifications,
    changeGate: new ChangeGateUseCases(d.policy.errorBudget, {
      clock: d.clock,
      inForce: (id, now) => freezeExceptions.inForce(id, now),
    }),
    changeRequests,
    freezeExceptions,
    renewals,
    templates: new TemplateUseCases(loadTemplates(), () => d.useCases()),
    modular: new ModularAgreementUseCases(() => d.useCases()),
    decommission: new DecommissionUseCases({
      agreements: d.agreements,
      get useCases() {
        return d.useCases();
      },
      services: d.services,
      notifications: d.notifications,
      clock: d.clock,
      baseUrl: d.baseUrl,
    }),
  };
}
