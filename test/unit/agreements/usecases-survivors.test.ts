import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.js';
import { agreementWorld, colleague, manager } from '../../helpers/agreement-usecases.js';
import { agreementBody } from '../../helpers/fixtures.js';

// What usecases-lifecycle.test.ts (over 800 lines) leaves of shared/usecases/agreements.ts's activation messages.

describe('activating a submitted agreement nobody has signed', () => {
  it('names every sign-off it misses, comma-separated, one detail each', async () => {
    const { uc } = await agreementWorld();
    const v1 = await uc.create(manager, agreementBody());
    await uc.submit(colleague, v1.id, 1, 'ready for sign-off');
    const e = await uc.activate(manager, v1.id, 2, 'go live').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `agreement ${v1.id} cannot be activated: sign-off missing from service-owner, business-owner`,
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'requiredSignOffs[service-owner]', problem: 'not signed off' },
      { path: 'requiredSignOffs[business-owner]', problem: 'not signed off' },
    ]);
  });
});
