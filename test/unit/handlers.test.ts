import { beforeEach, describe, expect, it } from 'vitest';
import { handler as createAgreement } from '../../functions/agreements/create.js';
import { handler as lifecycle } from '../../functions/agreements/lifecycle-scheduled.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { UlidGenerator } from '../../shared/adapters/ids.js';
import { MemoryAgreementStore } from '../../shared/adapters/memory/agreements.js';
import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import { loadSignOffRules } from '../../shared/policy/index.js';
import { type Container, setContainer } from '../../shared/runtime/container.js';
import { AgreementUseCases } from '../../shared/usecases/agreements.js';
import { AgreementLifecycleJob } from '../../shared/usecases/lifecycle-job.js';
import { sampleEvent } from '../helpers/events.js';
import { service } from '../helpers/fixtures.js';

const clock = { now: () => new Date('2026-11-25T09:00:00Z') };
let agreements: MemoryAgreementStore;

beforeEach(async () => {
  agreements = new MemoryAgreementStore();
  const services = new MemoryServiceStore();
  await services.create(service());
  const useCases = new AgreementUseCases({
    agreements,
    services,
    clock,
    ids: new UlidGenerator(clock),
    signOffRules: loadSignOffRules(),
  });
  setContainer({
    config: { ACCORD_VERSION: 'test' },
    agreements: useCases,
    lifecycleJob: new AgreementLifecycleJob({ agreements, useCases, clock }),
  } as unknown as Container);
});

describe('handlers on the events AWS delivers', () => {
  it('creates an agreement from an API Gateway REST event with Cognito claims', async () => {
    const res = await createAgreement(
      sampleEvent('api/agreements-create'),
      lambdaContext('agreements-create'),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers).toMatchObject({ ETag: '"1"', 'X-Correlation-Id': 'walkthrough-001' });
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      status: 'draft',
      createdBy: '8f1c2d3e-0000-4000-8000-000000000001',
      version: 1,
    });
    expect(await agreements.get(body.id)).toMatchObject({
      title: 'Payments gateway availability for retail banking',
    });
  });

  it('answers 401 when API Gateway passes no claims, and 403 for a group without the permission', async () => {
    const anonymous = sampleEvent('api/agreements-create');
    anonymous.requestContext.authorizer = null;
    expect((await createAgreement(anonymous, lambdaContext('agreements-create'))).statusCode).toBe(401);
    const viewer = sampleEvent('api/agreements-create');
    (viewer.requestContext.authorizer!.claims as Record<string, string>)['cognito:groups'] = 'viewer';
    const res = await createAgreement(viewer, lambdaContext('agreements-create'));
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('forbidden');
  });

  it('runs the lifecycle job from an EventBridge scheduled event', async () => {
    const summary = await lifecycle(sampleEvent('eventbridge/agreement-lifecycle'));
    expect(summary).toEqual({ activated: [], expired: [], held: [] });
  });
});
