import { describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import { ServiceUseCases } from '../../shared/usecases/services.js';
import { principal, service, serviceBody } from '../helpers/fixtures.js';

// The map of who holds each CMDB CI that a caller making many writes (the CMDB sync) passes to the service use
// cases (shared/usecases/services.ts, `CiHolders`): each write must keep it true, or the next row of the same file
// is judged against a stale catalogue.

const admin = principal({ subject: 'ada', roles: ['admin'] });
const CI_A = 'aaaa0d3a1b2c4d5e6f70819a2b3c4d5e';
const CI_B = 'bbbb0d3a1b2c4d5e6f70819a2b3c4d5e';

function setup() {
  const store = new MemoryServiceStore();
  const uc = new ServiceUseCases({ services: store, clock: { now: () => new Date('2026-12-01T10:00:00Z') } });
  return { store, uc };
}

describe('the CI holders map a bulk writer passes along', () => {
  it('gains the new service on a register with a CI, and is left alone by one without', async () => {
    const { uc } = setup();
    const ciHolders = new Map<string, string[]>();
    await uc.register(admin, serviceBody({ id: 'svc_a', cmdbCi: CI_A }), { ciHolders });
    await uc.register(admin, serviceBody({ id: 'svc_b' }), { ciHolders });
    expect(ciHolders).toEqual(new Map([[CI_A, ['svc_a']]]));
  });

  it('moves a service from its old CI to its new one on an update, dropping a CI nobody holds any more', async () => {
    const { uc } = setup();
    const ciHolders = new Map<string, string[]>();
    await uc.register(admin, serviceBody({ id: 'svc_a', cmdbCi: CI_A }), { ciHolders });
    await uc.update(admin, 'svc_a', 1, { cmdbCi: CI_B, reason: 'new CI' }, { ciHolders });
    expect(ciHolders).toEqual(new Map([[CI_B, ['svc_a']]]));
    // A service without a CI before takes one: nothing to let go of.
    await uc.register(admin, serviceBody({ id: 'svc_c' }), { ciHolders });
    await uc.update(admin, 'svc_c', 1, { cmdbCi: CI_A, reason: 'linked' }, { ciHolders });
    expect(ciHolders).toEqual(
      new Map([
        [CI_B, ['svc_a']],
        [CI_A, ['svc_c']],
      ]),
    );
  });

  it('keeps the other holders of a CI two services held before the rule, and never lists a holder twice', async () => {
    const { store, uc } = setup();
    // Two services holding one CI: data from before a CI named one service.
    await store.create(service({ id: 'svc_a', cmdbCi: CI_A }));
    await store.create(service({ id: 'svc_b', cmdbCi: CI_A }));
    const ciHolders = await uc.cmdbCiHolders();
    expect(ciHolders).toEqual(new Map([[CI_A, ['svc_a', 'svc_b']]]));
    await uc.update(admin, 'svc_a', 1, { cmdbCi: CI_B, reason: 'its own CI' }, { ciHolders });
    expect(ciHolders).toEqual(
      new Map([
        [CI_A, ['svc_b']],
        [CI_B, ['svc_a']],
      ]),
    );
    // Told again that svc_a holds CI_B (an update keeping it): still once.
    await uc.update(admin, 'svc_a', 2, { cmdbCi: CI_B, name: 'Renamed', reason: 'rename' }, { ciHolders });
    expect(ciHolders.get(CI_B)).toEqual(['svc_a']);
  });

  it('comes out true from an update whatever the map knew before: the service listed once under its new CI, no entry for an old CI it lacked', async () => {
    const { uc } = setup();
    await uc.register(admin, serviceBody({ id: 'svc_a', cmdbCi: CI_A }));
    // The caller's map already lists svc_a under CI_B and knows nothing of CI_A.
    const ciHolders = new Map([[CI_B, ['svc_a']]]);
    await uc.update(admin, 'svc_a', 1, { cmdbCi: CI_B, reason: 'new CI' }, { ciHolders });
    expect(ciHolders).toEqual(new Map([[CI_B, ['svc_a']]]));
  });

  it('reads the whole catalogue to find the holders, past its first page of 1,000', async () => {
    const { store, uc } = setup();
    for (let i = 0; i < 1001; i++) {
      const id = `svc_${String(i).padStart(4, '0')}`;
      await store.create(service({ id, ...(i === 1000 ? { cmdbCi: CI_A } : {}) }));
    }
    expect(await uc.cmdbCiHolders()).toEqual(new Map([[CI_A, ['svc_1000']]]));
    await expect(uc.register(admin, serviceBody({ id: 'svc_new', cmdbCi: CI_A }))).rejects.toMatchObject({
      details: [{ path: 'cmdbCi', problem: 'is held by service svc_1000' }],
    });
  });
});
