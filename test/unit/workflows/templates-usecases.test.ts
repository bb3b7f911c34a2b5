import { beforeEach, describe, expect, it } from 'vitest';
import { BusinessRuleError, NotFoundError, ValidationError } from '../../../shared/domain/errors.js';
import { loadTemplates, type TemplateCatalogue } from '../../../shared/policy/templates.js';
import { TemplateUseCases } from '../../../shared/usecases/workflows/templates.js';
import { failure, providerManager } from '../../helpers/change-request-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const caught = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('did not throw');
};

const terms = (over: Record<string, unknown> = {}) => ({
  title: 'Cards API SLA for retail',
  serviceId: 'svc_payments-gateway',
  businessUnit: 'payments',
  parties: {
    provider: { type: 'business-unit', businessUnit: 'payments' },
    customer: { type: 'business-unit', businessUnit: 'retail-banking' },
  },
  timeZone: 'Europe/London',
  reviewCycle: { everyMonths: 6, nextReviewDate: '2026-09-01' },
  jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
  dataResidency: { region: 'eu-west-1', processingRegions: [] },
  effectiveFrom: '2026-04-01',
  ...over,
});
const draftBody = (over: Record<string, unknown> = {}) =>
  ({
    objectiveOwner: { name: 'Owen Service', email: 'owen@example.com' },
    customerContact: { name: 'Rita Retail', email: 'rita@example.com' },
    reason: 'drafted from the template',
    terms: terms(),
    ...over,
  }) as never;

describe('agreement templates: listing, reading and drafting from them (TemplateUseCases)', () => {
  let w: WorkflowWorld;
  let uc: TemplateUseCases;
  beforeEach(async () => {
    w = await workflowWorld();
    // The shipped catalogue, with a third version of the SLA template and the versions out of order.
    const shipped = loadTemplates();
    const [v1, v2, ola] = shipped.templates;
    const v3 = { ...structuredClone(v2!), version: 3, name: 'Tier-1 customer API SLA, third edition' };
    const catalogue: TemplateCatalogue = { ...shipped, templates: [v2!, ola!, v3, v1!] };
    uc = new TemplateUseCases(catalogue, () => w.useCases);
  });

  it('lists each template once, at its latest version, with every version oldest first', () => {
    expect(uc.list().items.map((t) => [t.id, t.version, t.versions, t.latest])).toEqual([
      ['tier1-customer-api-sla', 3, [1, 2, 3], true],
      ['internal-network-ola', 1, [1], true],
    ]);
  });

  it('reads a template at a given version, saying whether it is the latest', () => {
    const v2 = uc.get('tier1-customer-api-sla', 2);
    expect([v2.id, v2.version, v2.versions, v2.latest]).toEqual([
      'tier1-customer-api-sla',
      2,
      [1, 2, 3],
      false,
    ]);
    expect(uc.get('tier1-customer-api-sla', 1).version).toBe(1);
    expect(uc.get('tier1-customer-api-sla', 3)).toMatchObject({
      version: 3,
      latest: true,
      name: 'Tier-1 customer API SLA, third edition',
    });
    expect(uc.get('tier1-customer-api-sla')).toMatchObject({ version: 3, latest: true });
  });

  it('answers 404 for a template that does not exist, and for a version it does not have, naming those it has', () => {
    const none = caught(() => uc.get('no-such'));
    expect(none).toBeInstanceOf(NotFoundError);
    expect(none.message).toBe('no template no-such');
    expect(none.details).toEqual([{ path: 'templateId', problem: 'names no template' }]);
    const nine = caught(() => uc.get('tier1-customer-api-sla', 9));
    expect(nine).toBeInstanceOf(NotFoundError);
    expect(nine.message).toBe('template tier1-customer-api-sla has no version 9');
    expect(nine.details).toEqual([{ path: 'version', problem: 'is not one of 1, 2, 3' }]);
  });

  it('drafts an agreement from a template version through the agreement use case, recording the template', async () => {
    const a = await uc.draft(providerManager, 'tier1-customer-api-sla', draftBody({ version: 2 }));
    const t = uc.get('tier1-customer-api-sla', 2);
    expect(a).toMatchObject({
      status: 'draft',
      kind: 'SLA',
      title: 'Cards API SLA for retail',
      reason: 'drafted from the template',
      template: { id: 'tier1-customer-api-sla', version: 2 },
      supportedHours: t.content.supportedHours,
      createdBy: 'pam@payments.example',
    });
    expect(a.objectives.map((o) => [o.id, o.owner.email, o.customerContact?.email])).toEqual(
      (t.content.objectives as { id: string }[]).map((o) => [o.id, 'owen@example.com', 'rita@example.com']),
    );
    expect(await w.agreements.get(a.id)).toEqual(a);
    const latest = await uc.draft(providerManager, 'tier1-customer-api-sla', draftBody());
    expect(latest.template).toEqual({ id: 'tier1-customer-api-sla', version: 3 });
  });

  it('refuses a term the template fixes, naming each, and drafts nothing', async () => {
    const e = await failure(
      uc.draft(
        providerManager,
        'tier1-customer-api-sla',
        draftBody({
          version: 1,
          terms: terms({ supportedHours: { kind: 'always' }, objectives: [], title: 'mine' }),
        }),
      ),
    );
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect(e.message).toBe('template tier1-customer-api-sla version 1 fixes supportedHours, objectives');
    expect(e.details).toEqual([
      { path: 'terms.supportedHours', problem: 'is fixed by template tier1-customer-api-sla v1' },
      { path: 'terms.objectives', problem: 'is fixed by template tier1-customer-api-sla v1' },
    ]);
    expect((await w.agreements.list({ scope: { all: true }, limit: 10 } as never)).items).toEqual([]);
  });

  it('refuses a draft that does not make a valid agreement, each path under terms', async () => {
    const { jurisdiction: _j, ...partial } = terms({ reviewCycle: { nextReviewDate: '2026-09-01' } });
    const e = await failure(uc.draft(providerManager, 'internal-network-ola', draftBody({ terms: partial })));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('the draft does not make a valid agreement');
    expect(e.details).toEqual([
      {
        path: 'terms.reviewCycle.everyMonths',
        problem: 'Invalid input: expected number, received undefined',
      },
      { path: 'terms.jurisdiction', problem: 'Invalid input: expected object, received undefined' },
    ]);
  });
});
