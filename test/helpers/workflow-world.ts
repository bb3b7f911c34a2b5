import { LocalWorkflowEngine } from '../../shared/adapters/local-sfn/engine.js';
import { type AslDefinition, substitute } from '../../shared/adapters/local-sfn/transform.js';
import { MemoryAgreementStore } from '../../shared/adapters/memory/agreements.js';
import { MemoryGovernanceRequestStore } from '../../shared/adapters/memory/governance.js';
import { MemoryViolationStore } from '../../shared/adapters/memory/objectives.js';
import { MemoryRemediationStore } from '../../shared/adapters/memory/remediation.js';
import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import { MemoryWorkTaskStore } from '../../shared/adapters/memory/tasks.js';
import { MemoryExecutionJournal, MemoryTaskTokenStore } from '../../shared/adapters/memory/workflows.js';
import { loadSignOffRules } from '../../shared/policy/index.js';
import { loadWorkflowPolicy, type WorkflowPolicy } from '../../shared/policy/workflows.js';
import type { WorkflowName } from '../../shared/ports/workflows.js';
import { AgreementUseCases } from '../../shared/usecases/agreements.js';
import { buildWorkflowServices, type WorkflowServices } from '../../shared/usecases/workflows/index.js';
import { localFunctionArn, readDefinition, WORKFLOWS } from '../../shared/workflows.js';
import { service } from './fixtures.js';
import { testNotifications } from './notify.js';

/**
 * The workflow use cases as both composition roots build them (`buildWorkflowServices`), on memory adapters, with
 * the real embedded engine running the real ASL files of shared/workflows.ts: each Task goes straight to the
 * workflow's own `task(payload)` (what the functions/workflows/* handlers do), with no container and no SQLite.
 * Time is a number the test moves (`advance`); nothing runs on a timer of its own.
 *
 * Built fresh per test (call it in a `beforeEach` or in the test): a world made at file load would run the original
 * code under every mutant.
 */
export interface WorkflowWorld {
  /** The clock, in epoch milliseconds. */
  now: { ms: number };
  clock: { now(): Date };
  agreements: MemoryAgreementStore;
  services: MemoryServiceStore;
  tasks: MemoryWorkTaskStore;
  remediation: MemoryRemediationStore;
  requests: MemoryGovernanceRequestStore;
  violations: MemoryViolationStore;
  notifications: ReturnType<typeof testNotifications>;
  useCases: AgreementUseCases;
  wf: WorkflowServices;
  engine: LocalWorkflowEngine;
  policy: WorkflowPolicy;
  /** Lets the executions run until every branch waits, then hands queued notifications to the (memory) senders. */
  settle(): Promise<void>;
  /** Moves the clock by `ms`, fires the timers that fell due (heartbeats, timeouts, waits), then settles. */
  advance(ms: number): Promise<void>;
}

const TASK_OF: Record<string, 'approval' | 'remediation' | 'changeRequests'> = {
  'workflows/approval': 'approval',
  'workflows/remediation': 'remediation',
  'workflows/change-request': 'changeRequests',
};

/**
 * A workflow world at `now` (ISO; default 2026-03-02T09:00:00Z) with the fixtures' services (`svc_payments-gateway`
 * of unit `payments`, and `svc_platform` of unit `platform`) created. `policy` overrides the shipped workflow policy.
 */
export async function workflowWorld(
  o: { now?: string; policy?: WorkflowPolicy; baseUrl?: string } = {},
): Promise<WorkflowWorld> {
  const now = { ms: Date.parse(o.now ?? '2026-03-02T09:00:00.000Z') };
  const clock = { now: () => new Date(now.ms) };
  const agreements = new MemoryAgreementStore();
  const services = new MemoryServiceStore();
  await services.create(service());
  await services.create(service({ id: 'svc_platform', businessUnit: 'platform' }));
  const tasks = new MemoryWorkTaskStore();
  const remediation = new MemoryRemediationStore();
  const requests = new MemoryGovernanceRequestStore();
  const violations = new MemoryViolationStore();
  const notifications = testNotifications({ now: clock.now });
  const policy = o.policy ?? loadWorkflowPolicy();
  let wf: WorkflowServices | undefined;
  let n = 0;
  const useCases = new AgreementUseCases({
    agreements,
    services,
    clock,
    ids: { agreementId: () => `agr_01WF${String(++n).padStart(18, '0')}` } as never,
    signOffRules: loadSignOffRules(),
    observer: { changed: (v) => wf?.approval.changed(v) ?? Promise.resolve() },
  });
  const definitions: Partial<Record<WorkflowName, AslDefinition>> = {};
  const handlerOf = new Map<string, string>();
  for (const spec of WORKFLOWS) {
    const values: Record<string, string> = {};
    for (const [placeholder, { handler }] of Object.entries(spec.substitutions)) {
      values[placeholder] = localFunctionArn(handler);
      handlerOf.set(values[placeholder]!, handler);
    }
    definitions[spec.name] = substitute(readDefinition(spec), values);
  }
  const engine = new LocalWorkflowEngine({
    definitions,
    journal: new MemoryExecutionJournal(),
    tokens: new MemoryTaskTokenStore(),
    clock,
    invoke: async (arn, payload, meta) => {
      const key = TASK_OF[handlerOf.get(arn) ?? ''];
      if (!key || !wf) throw new Error(`${meta.stateName}: no handler for ${arn}`);
      return wf[key].task(payload);
    },
  });
  wf = buildWorkflowServices({
    engine,
    tasks,
    remediation,
    requests,
    notifications: notifications.notifications,
    violations,
    agreements,
    useCases: () => useCases,
    services,
    clock,
    policy,
    baseUrl: o.baseUrl ?? 'https://accord.example',
  });
  const settle = async () => {
    await engine.tick();
    await engine.idle();
    await notifications.notifications.dispatch();
  };
  return {
    now,
    clock,
    agreements,
    services,
    tasks,
    remediation,
    requests,
    violations,
    notifications,
    useCases,
    wf,
    engine,
    policy,
    settle,
    async advance(ms: number) {
      now.ms += ms;
      await settle();
    },
  };
}
