import { vi } from 'vitest';
import type { Principal } from '../../shared/domain/access/policy.js';
import type { FieldProblem } from '../../shared/domain/errors.js';
import type { ChangeRequestRecord } from '../../shared/ports/governance.js';
import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import type { NotifyRequest } from '../../shared/usecases/workflows/notifications.js';
import { agreementVersion, principal } from './fixtures.js';
import { type WorkflowWorld, workflowWorld } from './workflow-world.js';

/**
 * Change requests in a workflow world (test/helpers/workflow-world.ts): an active agreement stored as the approval
 * path leaves it, the people who ask, assess and sign, and a record of every notification the use cases ask for.
 */

/** The fixture SLA (payments' tier-1 svc_payments-gateway for retail-banking), active since 2026-03-01, version 3. */
export async function activeAgreement(
  w: WorkflowWorld,
  over: Partial<AgreementVersion> = {},
): Promise<AgreementVersion> {
  const a = agreementVersion({
    id: 'agr_01WFACTIVE0000000001',
    version: 3,
    status: 'active',
    title: 'Payments availability',
    effectiveFrom: '2026-03-01',
    effectiveTo: '2027-02-28',
    reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
    requiredSignOffs: [{ capacity: 'service-owner', rules: ['tier-1'] }],
    signOffs: [
      {
        capacity: 'service-owner',
        decision: 'approved',
        by: 'owen@example.com',
        at: '2026-02-20T09:00:00.000Z',
      },
    ],
    change: 'activate',
    reason: 'go-live',
    ...over,
  });
  await w.agreements.create(a);
  return a;
}

/** A customer (retail-banking) viewer: may ask for a change to an agreement its unit is a party to. */
export const customerViewer = principal({
  subject: 'vic@retail.example',
  roles: ['viewer'],
  businessUnits: ['retail-banking'],
});

/** The provider's (payments) SLA managers: they assess requests. */
export const providerManager = principal({
  subject: 'pam@payments.example',
  roles: ['sla-manager'],
  businessUnits: ['payments'],
});
export const otherProviderManager = principal({
  subject: 'pete@payments.example',
  roles: ['sla-manager'],
  businessUnits: ['payments'],
});

/** The owner of svc_payments-gateway (the `service-owner` capacity). */
export const serviceOwner = principal({
  subject: 'owen@example.com',
  roles: ['service-owner'],
  services: ['svc_payments-gateway'],
});

/** An approver holding one sign-off capacity. */
export const approverAs = (capacity: string, subject = `${capacity}@approvers.example`): Principal =>
  principal({ subject, roles: ['approver'], signOffCapacities: [capacity] });

/** Every NotifyRequest the workflows make from now on (the real notifications still queue and send). */
export function recordNotifications(w: WorkflowWorld): NotifyRequest[] {
  const calls: NotifyRequest[] = [];
  const real = w.notifications.notifications.notify.bind(w.notifications.notifications);
  vi.spyOn(w.notifications.notifications, 'notify').mockImplementation(async (req) => {
    calls.push(structuredClone(req));
    return real(req);
  });
  return calls;
}

/** What a promise was rejected with (an error with its details and context); fails when it was not rejected. */
export type Failure = Error & { details: FieldProblem[]; context?: Record<string, unknown> };
export const failure = (p: Promise<unknown>): Promise<Failure> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Failure,
  );

/** The change request as stored. */
export const storedRequest = async (w: WorkflowWorld, id: string): Promise<ChangeRequestRecord> =>
  (await w.requests.get(id)) as ChangeRequestRecord;

/** Rewrites the stored change request through `f` under its revision, as another writer (a crash, an earlier attempt)
 * left it; the use cases are not asked. */
export async function editStored(
  w: WorkflowWorld,
  id: string,
  f: (x: ChangeRequestRecord) => ChangeRequestRecord,
): Promise<void> {
  const x = await storedRequest(w, id);
  await w.requests.put(f(x), x.revision);
}

/** A fresh workflow world recording its notifications, the active agreement, and one request by it. */
export interface OneRequestWorld {
  w: WorkflowWorld;
  /** Every notification asked for since the world was built (the request's own included). */
  sent: NotifyRequest[];
  a: AgreementVersion;
  /** The customer viewer's request to rename the agreement (`title: 'Renamed'`), as `request` answered it; the
   * workflow has not been settled. */
  r: ChangeRequestRecord;
}

/** Builds a `OneRequestWorld`; `text` is the request's summary and why (the mails and history quote them). */
export async function oneRequestWorld(text: { summary: string; why: string }): Promise<OneRequestWorld> {
  const w = await workflowWorld();
  const sent = recordNotifications(w);
  const a = await activeAgreement(w);
  const r = await w.wf.changeRequests.request(customerViewer, a.id, {
    ...text,
    proposed: { title: 'Renamed' },
  } as never);
  return { w, sent, a, r };
}
