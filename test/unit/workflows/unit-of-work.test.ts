import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeLocal, type LocalParts } from '../../../infra/local/compose.js';
import { UlidGenerator } from '../../../shared/adapters/ids.js';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import { loadSignOffRules } from '../../../shared/policy/index.js';
import { readConfig } from '../../../shared/runtime/config.js';
import { setContainer } from '../../../shared/runtime/container.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { AgreementUseCases } from '../../../shared/usecases/agreements.js';
import { agreementBody, service, serviceBody } from '../../helpers/fixtures.js';

const manager: Principal = {
  subject: 'sam',
  roles: ['sla-manager'],
  businessUnits: ['payments', 'retail-banking'],
  services: [],
  signOffCapacities: [],
};
const owner: Principal = {
  subject: 'owen',
  roles: ['service-owner'],
  businessUnits: [],
  services: ['svc_payments-gateway'],
  signOffCapacities: [],
};

describe('an agreement change and what the workflow writes about it are one unit of work', () => {
  it('runs the new version’s append and the observer inside the unit, and fails the change when the unit fails', async () => {
    const clock = { now: () => new Date('2026-11-02T09:00:00Z') };
    const agreements = new MemoryAgreementStore();
    const services = new MemoryServiceStore();
    await services.create(service({ tier: 3 }));
    const trail: string[] = [];
    let failCommit = false;
    const store = new Proxy(agreements, {
      get: (target, key, receiver) =>
        key === 'append'
          ? async (v: AgreementVersion) => {
              trail.push(`append v${v.version}`);
              await target.append(v);
            }
          : Reflect.get(target, key, receiver),
    });
    const uc = new AgreementUseCases({
      agreements: store,
      services,
      clock,
      ids: new UlidGenerator(clock),
      signOffRules: loadSignOffRules(),
      observer: {
        changed: async (v) => {
          trail.push(`observed ${v.change}`);
        },
      },
      unitOfWork: async (work) => {
        trail.push('begin');
        const out = await work();
        if (failCommit) throw new Error('disk I/O error');
        trail.push('commit');
        return out;
      },
    });
    const a = await uc.create(manager, agreementBody());
    await uc.submit(manager, a.id, 1, 'ready');
    expect(trail).toEqual(['begin', 'append v2', 'observed submit', 'commit']);
    failCommit = true;
    await expect(uc.withdraw(manager, a.id, 2, 'not yet')).rejects.toThrow('disk I/O error');
  });
});

describe('on the embedded default, a sign-off and the approval workflow’s writes about it commit together', () => {
  let dir: string;
  let parts: LocalParts;
  let reader: Database.Database;
  let now = Date.parse('2026-03-02T09:00:00.000Z');
  const clock = { now: () => new Date(now) };

  beforeEach(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    dir = mkdtempSync(join(tmpdir(), 'accord-uow-'));
    now = Date.parse('2026-03-02T09:00:00.000Z');
    parts = composeLocal(readConfig({}), join(dir, 'accord.db'), clock);
    setContainer(parts.container); // the workflow's task handlers (functions/) reach the use cases through it
    reader = new Database(join(dir, 'accord.db'), { readonly: true });
  });
  afterEach(() => {
    reader.close();
    parts.workflows.stop();
    parts.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows another connection the sign-off, the settled task and the answered token at once, and none before', async () => {
    const c = parts.container;
    await c.services.register(manager, serviceBody({ tier: 2 }));
    const a = await c.agreements.create(manager, agreementBody({ effectiveFrom: '2026-03-03' }));
    await c.agreements.submit(manager, a.id, 1, 'ready');
    await parts.workflows.engine.idle();
    const version = () =>
      (reader.prepare('SELECT version FROM agreements WHERE id = ?').get(a.id) as { version: number })
        .version;
    const pendingTasks = () =>
      (
        reader
          .prepare(`SELECT COUNT(*) AS n FROM work_task WHERE subject_id = ? AND status = 'pending'`)
          .get(a.id) as { n: number }
      ).n;
    const pendingTokens = () =>
      (reader.prepare(`SELECT COUNT(*) AS n FROM wf_token WHERE status = 'pending'`).get() as { n: number })
        .n;
    expect([version(), pendingTasks(), pendingTokens()]).toEqual([2, 2, 2]);

    // While the workflow's hook runs, the new version is written but not committed: others still see version 2.
    const approval = parts.workflows.services.approval;
    const changed = approval.changed.bind(approval);
    const seenDuringHook: number[] = [];
    approval.changed = async (v) => {
      seenDuringHook.push(version(), pendingTasks(), pendingTokens());
      await changed(v);
    };
    await c.agreements.signOff(owner, a.id, 2, {
      capacity: 'service-owner',
      decision: 'approved',
      reason: 'fine',
    });
    expect(seenDuringHook).toEqual([2, 2, 2]);
    // Committed before the call returned (no macrotask has run since): the version, the task and the token.
    expect([version(), pendingTasks(), pendingTokens()]).toEqual([3, 1, 1]);
    expect(parts.db.inTransaction).toBe(false);
  });
});
