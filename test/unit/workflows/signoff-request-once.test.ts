import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeLocal } from '../../../infra/local/compose.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import { readConfig } from '../../../shared/runtime/config.js';
import { signOffTaskId } from '../../../shared/usecases/workflows/approval.js';
import { agreementBody, serviceBody } from '../../helpers/fixtures.js';

// The approval's callback step (`await-signoff`) runs again for the same execution and capacity when a sign-off is
// followed up (each hourly heartbeat gives a new token) and after a crash before its journal entry. The person's
// task is then refreshed with the new token, and the request is sent only the first time: the step tells a first
// run from a later one by the revision the task store gives back (1 when it created the task), without reading
// the task before writing it. (The queue's idempotency key would also absorb a second request with the same key.)

const manager: Principal = {
  subject: 'manager',
  roles: ['sla-manager'],
  businessUnits: ['payments', 'retail-banking'],
  services: [],
  signOffCapacities: [],
};

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the sign-off request of a capacity', () => {
  it('is queued once and its task refreshed with the newest token when the callback step runs again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'accord-signoff-once-'));
    const clock = { now: () => new Date('2026-03-02T09:00:00.000Z') };
    const parts = composeLocal(readConfig({}), join(dir, 'accord.db'), clock);
    try {
      const c = parts.container;
      await c.services.register(manager, serviceBody({ tier: 2 }));
      const a = await c.agreements.create(
        manager,
        agreementBody({ effectiveFrom: '2026-03-03', effectiveTo: '2027-03-02' }),
      );
      // Submitted (version 2): its own execution starts and asks for its sign-offs; the runs below are another's, told
      // apart by their task id (the X-Accord-Task header of the request).
      await c.agreements.submit(manager, a.id, 1, 'ready');
      await parts.workflows.engine.idle();
      const approval = parts.workflows.services.approval;
      const executionId = 'local:approval:test-once';
      const step = (token: string, round: number) =>
        approval.task({
          task: 'await-signoff',
          agreementId: a.id,
          version: 2,
          capacity: 'business-owner',
          dueAt: '2026-03-05T09:00:00.000Z',
          round,
          executionId,
          taskToken: token,
        });
      const requests = () =>
        (
          parts.db
            .prepare(
              `SELECT count(*) AS n FROM notification WHERE json_extract(body, '$.event') = 'approval.signoff-requested'
                 AND instr(body, ?) > 0`,
            )
            .get(signOffTaskId(executionId, 'business-owner')) as { n: number }
        ).n;

      const first = (await step('tok-first', 0)) as { taskId: string };
      expect(first.taskId).toBe(signOffTaskId(executionId, 'business-owner'));
      expect(requests()).toBe(1);

      const again = (await step('tok-second', 1)) as { taskId: string };
      expect(again.taskId).toBe(first.taskId);
      // Queued once: the second run refreshes the task (revision 1 -> 2) and sends nothing.
      expect(requests()).toBe(1);
      const task = (await parts.workflows.services.tasks.get(
        { ...manager, roles: ['admin'] },
        first.taskId,
      )) as { status: string; revision?: number };
      expect(task.status).toBe('pending');
      const row = parts.db.prepare('SELECT revision, body FROM work_task WHERE id = ?').get(first.taskId) as {
        revision: number;
        body: string;
      };
      expect(row.revision).toBe(2);
      expect(JSON.parse(row.body).token).toBe('tok-second');
    } finally {
      parts.workflows.stop();
      parts.db.close();
    }
  });
});
