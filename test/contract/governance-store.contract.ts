import { beforeEach, describe, expect, it } from 'vitest';
import type {
  ChangeRequestRecord,
  FreezeExceptionRecord,
  GovernanceRequestStore,
} from '../../shared/ports/governance.js';

const change = (over: Partial<ChangeRequestRecord> = {}): ChangeRequestRecord => ({
  kind: 'change-request',
  id: 'chg_1',
  agreementId: 'agr_1',
  serviceId: 'svc_cards',
  businessUnit: 'payments',
  baseVersion: 4,
  requestedBy: 'vera',
  requestedAt: '2026-03-02T09:00:00.000Z',
  source: 'api',
  summary: 'Lower the availability target',
  why: 'the RCA found the target unrealistic',
  proposed: { title: 'Cards API SLA' },
  classification: { administrative: ['title'], material: [] },
  status: 'assessing',
  requiredSignOffs: [],
  signOffs: [],
  history: [{ at: '2026-03-02T09:00:00.000Z', step: 'requested', by: 'vera', detail: 'requested' }],
  revision: 0,
  ...over,
});

const freeze = (over: Partial<FreezeExceptionRecord> = {}): FreezeExceptionRecord => ({
  kind: 'freeze-exception',
  id: 'frx_1',
  serviceId: 'svc_cards',
  businessUnit: 'payments',
  from: '2026-03-02T10:00:00.000Z',
  to: '2026-03-02T14:00:00.000Z',
  reason: 'security fix',
  change: 'release 4.2.1',
  requestedBy: 'olga',
  requestedAt: '2026-03-02T09:30:00.000Z',
  status: 'pending',
  taskId: 'tsk_1',
  history: [],
  revision: 0,
  ...over,
});

export function governanceStoreContract(
  name: string,
  make: () => Promise<GovernanceRequestStore> | GovernanceRequestStore,
): void {
  describe(`GovernanceRequestStore contract: ${name}`, () => {
    let store: GovernanceRequestStore;
    beforeEach(async () => {
      store = await make();
    });

    it("lists the open change requests whose workflow has not started, oldest first, until one's execution is recorded", async () => {
      const later = change({ id: 'chg_2', requestedAt: '2026-03-02T10:00:00.000Z', source: 'rca' });
      expect(await store.put(later, 0)).toBe(true);
      expect(await store.put(change(), 0)).toBe(true);
      // Not waiting for a start: one with its execution, a final one, an automated update's, a freeze exception.
      // Older than the rest, so a store that kept these among the candidates would fill a small page with them.
      const earlier = '2026-03-02T08:00:00.000Z';
      await store.put(change({ id: 'chg_3', executionId: 'exec-3', requestedAt: earlier }), 0);
      await store.put(change({ id: 'chg_4', status: 'withdrawn', requestedAt: earlier }), 0);
      await store.put(change({ id: 'chg_5', source: 'cmdb', requestedAt: earlier }), 0);
      await store.put(freeze(), 0);
      expect((await store.unstarted(10)).map((r) => [r.id, r.revision])).toEqual([
        ['chg_1', 1],
        ['chg_2', 1],
      ]);
      expect((await store.unstarted(1)).map((r) => r.id)).toEqual(['chg_1']);
      expect(await store.put({ ...change(), executionId: 'exec-1', revision: 1 }, 1)).toBe(true);
      expect(await store.put({ ...later, status: 'signing', revision: 1 }, 1)).toBe(true);
      expect((await store.unstarted(10)).map((r) => [r.id, r.status])).toEqual([['chg_2', 'signing']]);
    });

    it('creates a request once at revision 1; a second create of the same id loses', async () => {
      expect(await store.put(change(), 0)).toBe(true);
      expect(await store.put(change({ summary: 'other' }), 0)).toBe(false);
      expect(await store.get('chg_1')).toMatchObject({
        summary: 'Lower the availability target',
        revision: 1,
      });
      expect(await store.get('chg_none')).toBeUndefined();
    });

    it('replaces a request only from the revision it read', async () => {
      await store.put(change(), 0);
      const r = (await store.get('chg_1')) as ChangeRequestRecord;
      expect(await store.put({ ...r, status: 'signing' }, 1)).toBe(true);
      expect(await store.put({ ...r, status: 'rejected' }, 1)).toBe(false);
      expect(await store.get('chg_1')).toMatchObject({ status: 'signing', revision: 2 });
    });

    it('lists the requests about one subject oldest first, change requests by agreement and exceptions by service', async () => {
      await store.put(change({ id: 'chg_2', requestedAt: '2026-03-03T09:00:00.000Z' }), 0);
      await store.put(change(), 0);
      await store.put(change({ id: 'chg_3', agreementId: 'agr_other' }), 0);
      await store.put(freeze(), 0);
      const r = (await store.get('chg_2'))!;
      await store.put({ ...r, status: 'applied' } as ChangeRequestRecord, 1);
      const byAgreement = await store.listBySubject('agr_1');
      expect(byAgreement.map((x) => [x.id, x.status, x.revision])).toEqual([
        ['chg_1', 'assessing', 1],
        ['chg_2', 'applied', 2],
      ]);
      expect((await store.listBySubject('svc_cards')).map((x) => x.id)).toEqual(['frx_1']);
      expect(await store.listBySubject('agr_none')).toEqual([]);
    });

    describe('the per-person cap on pending freeze exceptions of a service, counted and recorded in one step', () => {
      const asked = (n: number, over: Partial<FreezeExceptionRecord> = {}) =>
        freeze({ id: `frx_o${n}`, requestedAt: `2026-03-02T09:0${n}:00.000Z`, ...over });
      const olga = { subject: 'olga', email: 'olga@example.com' };

      it("counts only the person's own pending exceptions of this service, and refuses past the limit naming them", async () => {
        // Not counted: another person, another service, a decided one, a change request of the person.
        await store.put(asked(1, { requestedBy: 'walt' }), 0);
        await store.put(asked(2, { serviceId: 'svc_other' }), 0);
        await store.put(asked(3, { status: 'approved' }), 0);
        await store.put(change({ id: 'chg_o', requestedBy: 'olga' }), 0);
        expect(await store.recordIfUnder(asked(4), 2, olga)).toEqual({ status: 'recorded' });
        // Counted: one recorded under the person's e-mail.
        await store.put(asked(5, { requestedBy: 'Olga@Example.com' }), 0);
        expect(await store.recordIfUnder(asked(6), 2, olga)).toEqual({
          status: 'over-limit',
          openIds: ['frx_o4', 'frx_o5'],
        });
        expect(await store.get('frx_o6')).toBeUndefined();
      });

      it('frees a place when a pending exception is decided', async () => {
        for (const n of [1, 2])
          expect((await store.recordIfUnder(asked(n), 2, olga)).status).toBe('recorded');
        expect((await store.recordIfUnder(asked(3), 2, olga)).status).toBe('over-limit');
        const first = (await store.get('frx_o1')) as FreezeExceptionRecord;
        expect(await store.put({ ...first, status: 'rejected' }, 1)).toBe(true);
        expect(await store.recordIfUnder(asked(3), 2, olga)).toEqual({ status: 'recorded' });
        expect((await store.recordIfUnder(asked(4), 2, olga)).status).toBe('over-limit');
      });

      it('frees a place when a pending exception lapses (red team, wave 36: its window ended undecided)', async () => {
        for (const n of [1, 2])
          expect((await store.recordIfUnder(asked(n), 2, olga)).status).toBe('recorded');
        const first = (await store.get('frx_o1')) as FreezeExceptionRecord;
        expect(await store.put({ ...first, status: 'lapsed' }, 1)).toBe(true);
        expect(await store.recordIfUnder(asked(3), 2, olga)).toEqual({ status: 'recorded' });
        expect((await store.recordIfUnder(asked(4), 2, olga)).status).toBe('over-limit');
      });

      it('lets exactly the limit through when one person asks many times at the same instant', async () => {
        const results = await Promise.all(
          [1, 2, 3, 4, 5, 6, 7].map((n) => store.recordIfUnder(asked(n), 3, olga)),
        );
        expect(results.filter((r) => r.status === 'recorded')).toHaveLength(3);
        expect(results.filter((r) => r.status === 'over-limit')).toHaveLength(4);
        const stored = (await store.listBySubject('svc_cards')).filter((r) => r.kind === 'freeze-exception');
        expect(stored).toHaveLength(3);
      });
    });

    describe('the per-person cap on open change requests, counted and recorded in one step', () => {
      const asked = (n: number, over: Partial<ChangeRequestRecord> = {}) =>
        change({ id: `chg_v${n}`, requestedAt: `2026-03-02T09:0${n}:00.000Z`, ...over });
      const vera = { subject: 'vera', email: 'vera@example.com' };

      it('records while the person has fewer than the limit open, then refuses naming the open ones, oldest first, storing nothing', async () => {
        for (const n of [2, 1])
          expect(await store.recordIfUnder(asked(n), 2, vera)).toEqual({ status: 'recorded' });
        expect(await store.get('chg_v1')).toMatchObject({ requestedBy: 'vera', revision: 1 });
        expect(await store.recordIfUnder(asked(3), 2, vera)).toEqual({
          status: 'over-limit',
          openIds: ['chg_v1', 'chg_v2'],
        });
        expect(await store.get('chg_v3')).toBeUndefined();
        expect((await store.listBySubject('agr_1')).map((x) => x.id)).toEqual(['chg_v1', 'chg_v2']);
      });

      it('answers exists for an id already stored, and stores nothing', async () => {
        expect(await store.recordIfUnder(asked(1), 3, vera)).toEqual({ status: 'recorded' });
        expect(await store.recordIfUnder(asked(1, { summary: 'again' }), 3, vera)).toEqual({
          status: 'exists',
        });
        expect(await store.get('chg_v1')).toMatchObject({
          summary: 'Lower the availability target',
          revision: 1,
        });
      });

      it("counts only the person's own open api requests on this agreement: by the subject exactly or the e-mail in any case", async () => {
        // Not counted: another person, another agreement, an RCA's request, an automated one, a final one, and a
        // subject differing from the person's only in case (subjects are opaque ids: another person's).
        await store.put(asked(1, { requestedBy: 'walt' }), 0);
        await store.put(asked(0, { requestedBy: 'Vera' }), 0);
        await store.put(asked(2, { agreementId: 'agr_other' }), 0);
        await store.put(asked(3, { source: 'rca' }), 0);
        await store.put(asked(4, { source: 'import:cmdb', requestedBy: 'system:import:cmdb' }), 0);
        await store.put(asked(5, { status: 'applied' }), 0);
        expect(await store.recordIfUnder(asked(6), 1, vera)).toEqual({ status: 'recorded' });
        // Counted: a request recorded under the person's e-mail (any case) is the same person's.
        await store.put(asked(7, { requestedBy: 'Vera@Example.com', status: 'signing' }), 0);
        expect(await store.recordIfUnder(asked(8), 3, vera)).toEqual({ status: 'recorded' });
        expect(await store.recordIfUnder(asked(9), 3, vera)).toEqual({
          status: 'over-limit',
          openIds: ['chg_v6', 'chg_v7', 'chg_v8'],
        });
      });

      it('counts a request once for a person whose subject is the e-mail (requests recorded under it in any case)', async () => {
        const vic = { subject: 'vic@retail.example', email: 'vic@retail.example' };
        const byVic = (n: number, requestedBy = vic.subject) => asked(n, { requestedBy });
        expect(await store.recordIfUnder(byVic(1), 3, vic)).toEqual({ status: 'recorded' });
        await store.put(byVic(2, 'Vic@Retail.Example'), 0);
        expect(await store.recordIfUnder(byVic(3), 3, vic)).toEqual({ status: 'recorded' });
        expect(await store.recordIfUnder(byVic(4), 3, vic)).toEqual({
          status: 'over-limit',
          openIds: ['chg_v1', 'chg_v2', 'chg_v3'],
        });
        // Another person, subject only: vic's requests are not theirs, and the e-mail-cased record is not theirs.
        expect(
          await store.recordIfUnder(byVic(5, 'Vic@retail.example'), 1, { subject: 'Vic@retail.example' }),
        ).toEqual({
          status: 'recorded',
        });
      });

      it('frees a place when one of the open requests becomes final (withdrawn), and takes it again when one is reopened by a new request', async () => {
        for (const n of [1, 2]) await store.recordIfUnder(asked(n), 2, vera);
        expect((await store.recordIfUnder(asked(3), 2, vera)).status).toBe('over-limit');
        const first = (await store.get('chg_v1')) as ChangeRequestRecord;
        // Still open after a change of step: no place yet.
        expect(await store.put({ ...first, status: 'signing' }, 1)).toBe(true);
        expect((await store.recordIfUnder(asked(3), 2, vera)).status).toBe('over-limit');
        expect(await store.put({ ...first, status: 'withdrawn' }, 2)).toBe(true);
        // A later write to the final request (a closing step) frees nothing more.
        expect(await store.put({ ...first, status: 'withdrawn', summary: 'closed' }, 3)).toBe(true);
        expect(await store.recordIfUnder(asked(3), 2, vera)).toEqual({ status: 'recorded' });
        expect(await store.recordIfUnder(asked(4), 2, vera)).toEqual({
          status: 'over-limit',
          openIds: ['chg_v2', 'chg_v3'],
        });
      });

      it('lets exactly the limit through when one person asks many times at the same instant', async () => {
        const results = await Promise.all(
          [1, 2, 3, 4, 5, 6].map((n) => store.recordIfUnder(asked(n), 2, vera)),
        );
        expect(results.filter((r) => r.status === 'recorded')).toHaveLength(2);
        expect(results.filter((r) => r.status === 'over-limit')).toHaveLength(4);
        expect(await store.listBySubject('agr_1')).toHaveLength(2);
      });
    });

    describe('the per-person cap on change requests asked in a sliding window (recent), counted and recorded in one step', () => {
      const asked = (n: number, at: string, over: Partial<ChangeRequestRecord> = {}) =>
        change({ id: `chg_d${n}`, requestedAt: at, status: 'withdrawn', ...over });
      const vera = { subject: 'vera', email: 'vera@example.com' };
      const since = '2026-03-01T10:00:00.000Z';

      it("counts the person's api change requests on this agreement asked after `since`, whatever became of them, and refuses naming them oldest first, storing nothing", async () => {
        // Written before any capped write (on DynamoDB: before the asked lists exist, as requests of an older
        // version). Not counted: asked at `since` exactly, another person, a subject differing only in case,
        // another agreement, an RCA's request, a freeze exception of the person.
        await store.put(asked(0, since), 0);
        await store.put(asked(5, '2026-03-01T11:00:00.000Z', { requestedBy: 'walt' }), 0);
        await store.put(asked(6, '2026-03-01T11:00:00.000Z', { requestedBy: 'Vera' }), 0);
        await store.put(asked(7, '2026-03-01T11:00:00.000Z', { agreementId: 'agr_other' }), 0);
        await store.put(asked(8, '2026-03-01T11:00:00.000Z', { source: 'rca' }), 0);
        await store.put(freeze({ requestedBy: 'vera', requestedAt: '2026-03-01T11:00:00.000Z' }), 0);
        // Counted: withdrawn, applied, and one recorded under the person's e-mail in another case.
        await store.put(asked(1, '2026-03-01T12:00:00.000Z'), 0);
        await store.put(
          asked(2, '2026-03-02T08:00:00.000Z', { requestedBy: 'Vera@Example.com', status: 'applied' }),
          0,
        );
        const recent = { limit: 3, since };
        expect(
          await store.recordIfUnder(
            asked(3, '2026-03-02T09:00:00.000Z', { status: 'assessing' }),
            10,
            vera,
            recent,
          ),
        ).toEqual({ status: 'recorded' });
        expect(
          await store.recordIfUnder(
            asked(4, '2026-03-02T09:01:00.000Z', { status: 'assessing' }),
            10,
            vera,
            recent,
          ),
        ).toEqual({
          status: 'over-recent-limit',
          asked: [
            { id: 'chg_d1', requestedAt: '2026-03-01T12:00:00.000Z' },
            { id: 'chg_d2', requestedAt: '2026-03-02T08:00:00.000Z' },
            { id: 'chg_d3', requestedAt: '2026-03-02T09:00:00.000Z' },
          ],
        });
        expect(await store.get('chg_d4')).toBeUndefined();
        // Another person is not held back by vera's requests.
        expect(
          await store.recordIfUnder(
            asked(9, '2026-03-02T09:02:00.000Z', { status: 'assessing', requestedBy: 'walt' }),
            10,
            { subject: 'walt' },
            recent,
          ),
        ).toEqual({ status: 'recorded' });
      });

      it('frees a place once the oldest request is no longer after `since`, and looks at the open cap first', async () => {
        const at = (h: number) => `2026-03-02T${String(h).padStart(2, '0')}:00:00.000Z`;
        const open = (n: number, h: number) => asked(n, at(h), { status: 'assessing' });
        const day = (s: string) => ({ limit: 2, since: s });
        expect((await store.recordIfUnder(open(1, 1), 10, vera, day(since))).status).toBe('recorded');
        expect((await store.recordIfUnder(open(2, 2), 10, vera, day(since))).status).toBe('recorded');
        expect((await store.recordIfUnder(open(3, 3), 10, vera, day(since))).status).toBe(
          'over-recent-limit',
        );
        // Both caps met: the open cap answers.
        expect(await store.recordIfUnder(open(3, 3), 2, vera, day(since))).toEqual({
          status: 'over-limit',
          openIds: ['chg_d1', 'chg_d2'],
        });
        // A day later for the first request: it left the window.
        expect(await store.recordIfUnder(open(3, 3), 10, vera, day(at(1)))).toEqual({ status: 'recorded' });
        expect(await store.recordIfUnder(open(4, 4), 10, vera, day(at(1)))).toEqual({
          status: 'over-recent-limit',
          asked: [
            { id: 'chg_d2', requestedAt: at(2) },
            { id: 'chg_d3', requestedAt: at(3) },
          ],
        });
      });

      it('lets exactly the limit through when one person asks many times at the same instant', async () => {
        const results = await Promise.all(
          [1, 2, 3, 4, 5, 6].map((n) =>
            store.recordIfUnder(asked(n, '2026-03-02T09:00:00.000Z', { status: 'assessing' }), 10, vera, {
              limit: 3,
              since,
            }),
          ),
        );
        expect(results.filter((r) => r.status === 'recorded')).toHaveLength(3);
        expect(results.filter((r) => r.status === 'over-recent-limit')).toHaveLength(3);
        expect(await store.listBySubject('agr_1')).toHaveLength(3);
      });

      it('holds at one instant even for requests the open cap does not count (recorded already closed)', async () => {
        // Nothing here moves the open counters, so only the recent cap's own atomic step keeps the count.
        const results = await Promise.all(
          [1, 2, 3, 4, 5, 6].map((n) =>
            store.recordIfUnder(asked(n, '2026-03-02T09:00:00.000Z'), 10, vera, { limit: 2, since }),
          ),
        );
        expect(results.filter((r) => r.status === 'recorded')).toHaveLength(2);
        expect(await store.listBySubject('agr_1')).toHaveLength(2);
      });
    });
  });
}
