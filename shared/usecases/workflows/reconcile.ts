import { type AgreementStore, eachAgreement } from '../../ports/agreements.js';
import type { GovernanceRequestStore } from '../../ports/governance.js';
import type { ViolationStore } from '../../ports/objectives.js';
import type { StartRequest, WorkflowEngine, WorkflowName } from '../../ports/workflows.js';
import type { AgreementVersion } from '../../schemas/agreement.js';
import { approvalStart } from './approval.js';
import type { ChangeRequestWorkflow } from './change-requests.js';
import { remediationStart } from './remediation.js';

export interface ReconcileDeps {
  agreements: AgreementStore;
  violations: ViolationStore;
  requests: GovernanceRequestStore;
  /** Lazily, as the workflows take it. */
  engine: () => WorkflowEngine;
  changeRequests: () => ChangeRequestWorkflow;
  /** Agreements read per page (default 200). */
  pageSize?: number;
  /** Change requests without an execution looked at per run (default 500; the rest wait for the next run). */
  requestLimit?: number;
}

/** One execution the run asked for, as `<workflow>:<name>`. */
export type ExecutionKey = `${WorkflowName}:${string}`;

/** What one reconciliation run did. */
export interface ReconcileSummary {
  /** Executions this run started: their first start failed (or was never made). */
  started: ExecutionKey[];
  /**
   * Executions that existed although the record of them was missing (the start succeeded, writing it down did not):
   * recorded now, nothing started.
   */
  recorded: ExecutionKey[];
  /** How many candidates already had their execution (nothing done). */
  present: number;
  /** Starts that failed again (tried again next run), with the error's message. */
  failed: { execution: ExecutionKey; error: string }[];
}

const key = (r: Pick<StartRequest, 'workflow' | 'name'>): ExecutionKey => `${r.workflow}:${r.name}`;

/**
 * Recovers workflow starts that failed. A workflow is started after the change that calls for it is stored (an
 * agreement submitted, a violation opened, a change request recorded); on AWS the start is a Step Functions call of
 * its own, and when it fails the change stands. The change itself is the durable record of what must run, so each
 * run of the `workflow-starts` schedule looks for
 * - submitted agreements whose submission has no approval execution,
 * - open violations with no remediation execution,
 * - open change requests (a person's or an RCA's) that record no execution,
 * and starts each under the same name the first start used. Names are the idempotency key of both engines (Step
 * Functions refuses or answers a second start of a name; the embedded journal refuses a second record), so a start
 * that in fact succeeded, or that races this run, is never doubled, and neither are its notifications (queued by
 * the execution's steps, under keys from their cause). Failures are collected, not thrown, so one bad candidate does
 * not stop the others; the caller reports them.
 */
export class WorkflowReconciliation {
  constructor(private readonly deps: ReconcileDeps) {}

  async run(): Promise<ReconcileSummary> {
    const summary: ReconcileSummary = { started: [], recorded: [], present: 0, failed: [] };
    for await (const a of eachAgreement(this.deps.agreements, { status: 'submitted' }, this.deps.pageSize)) {
      const version = await this.submittedVersion(a);
      if (version !== undefined) await this.ensure(approvalStart(a.id, version), summary);
    }
    for (const v of await this.deps.violations.list({ status: 'open' })) {
      await this.ensure(remediationStart(v.id), summary);
    }
    for (const r of await this.deps.requests.unstarted(this.deps.requestLimit ?? 500)) {
      const k: ExecutionKey = `change-request:${r.id}`;
      try {
        const { started } = await this.deps.changeRequests().startWorkflow(r);
        (started ? summary.started : summary.recorded).push(k);
      } catch (e) {
        summary.failed.push({ execution: k, error: (e as Error).message });
      }
    }
    return summary;
  }

  /** Starts `req` unless the engine knows an execution of that name. */
  private async ensure(req: StartRequest, summary: ReconcileSummary): Promise<void> {
    try {
      const engine = this.deps.engine();
      if (await engine.findByName(req)) {
        summary.present++;
        return;
      }
      const { started } = await engine.start(req);
      (started ? summary.started : summary.recorded).push(key(req));
    } catch (e) {
      summary.failed.push({ execution: key(req), error: (e as Error).message });
    }
  }

  /**
   * The version whose submission the approval is about: the latest `submit` (sign-offs given since then add
   * versions that stay submitted). Undefined when none is found (nothing to start).
   */
  private async submittedVersion(a: AgreementVersion): Promise<number | undefined> {
    // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut: the current version is then the latest submit, which the lookup below finds too
    if (a.change === 'submit') return a.version;
    const versions = await this.deps.agreements.listVersions(a.id);
    return versions.filter((v) => v.change === 'submit').at(-1)?.version;
  }
}
