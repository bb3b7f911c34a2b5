import { expect } from 'vitest';
import type { CreateAgreementBody } from '../../shared/schemas/agreement.js';
import { agreementBody } from './fixtures.js';
import type { TestApp } from './local-app.js';
import { approveAndActivate, outbox, settle, type TestClock } from './workflows.js';

/** A person's task as `GET /v1/tasks` lists it (the fields the change-request tests read). */
export interface ListedTask {
  id: string;
  kind: string;
  assignees: { capacity?: string; roles?: string[] };
  yours: boolean;
}

/** A workflow execution as `GET /v1/agreements/{id}/workflows` lists it. */
export interface ListedExecution {
  workflow: string;
  name: string;
  status: string;
  path: string[];
  output?: { outcome: string; reason: string };
}

/**
 * The HTTP calls the change-request e2e files share, on a workflow app (`startWorkflowApp`) whose clock is `clock`.
 * `app` is a getter because the files start their app in `beforeAll`, after these are made.
 */
export function changeRequestCalls(app: () => TestApp, clock: TestClock) {
  return {
    /**
     * An active SLA of payments (provider) for retail-banking (customer) on the tier-2 service, signed and live from
     * the clock's day; `extra` overrides fields of the body (an escalation matrix, say). Answers its id.
     */
    async activeAgreement(title: string, extra: Partial<CreateAgreementBody> = {}): Promise<string> {
      const a = await app().call('POST', '/v1/agreements', {
        as: 'sla-manager',
        body: agreementBody({
          title,
          effectiveFrom: new Date(clock.ms).toISOString().slice(0, 10),
          effectiveTo: '2027-12-31',
          reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
          ...extra,
        }),
      });
      expect(a.status, JSON.stringify(a.body)).toBe(201);
      await approveAndActivate(app(), a.body.id);
      await settle(app());
      return a.body.id as string;
    },
    /** `POST /v1/agreements/{id}/change-requests` as `as`, then the workflow settled; the raw response. */
    async ask(
      as: string,
      agreementId: string,
      proposed: object,
      summary = 'a change',
      why = 'the terms are wrong',
    ) {
      const r = await app().call('POST', `/v1/agreements/${agreementId}/change-requests`, {
        as,
        body: { summary, why, proposed },
      });
      await settle(app());
      return r;
    },
    /** One change request as an auditor reads it. */
    request: async (id: string) =>
      (await app().call('GET', `/v1/change-requests/${id}`, { as: 'auditor' })).body,
    /** `as`'s tasks of one change request with the given status. */
    tasksOf: async (as: string, changeRequestId: string, status = 'pending') =>
      (await app().call('GET', `/v1/tasks?status=${status}&subjectId=${changeRequestId}`, { as })).body
        .items as ListedTask[],
    /** The outbox's messages whose subject contains `part`. */
    mails: async (part: string) => (await outbox(app())).filter((m) => m.subject.includes(part)),
    /** The agreement's change-request executions. */
    executions: async (agreementId: string) =>
      (
        (await app().call('GET', `/v1/agreements/${agreementId}/workflows`, { as: 'auditor' })).body
          .items as ListedExecution[]
      ).filter((x) => x.workflow === 'change-request'),
  };
}
