import { describe, expect, it } from 'vitest';
import type { ArchiveAccess, ArchiveAccessLog } from '../../shared/ports/archive.js';

const access = (id: string, at: string, over: Partial<ArchiveAccess> = {}): ArchiveAccess => ({
  id,
  at,
  subject: 'ada.auditor@accord.local',
  action: 'download',
  target: 'reports/monthly-compliance/2026-04/portfolio/rpt_1.pdf',
  requestId: `req-${id}`,
  ...over,
});

/** The ArchiveAccessLog contract, passed by every adapter. */
export function archiveAccessLogContract(
  name: string,
  make: () => Promise<ArchiveAccessLog> | ArchiveAccessLog,
): void {
  describe(`ArchiveAccessLog contract: ${name}`, () => {
    it('keeps every retrieval and lists a time range newest first, across months', async () => {
      const log = await make();
      await log.record(access('a1', '2026-03-31T23:59:00.000Z'));
      await log.record(access('a2', '2026-04-01T00:00:00.000Z', { action: 'verify', target: 'archive' }));
      await log.record(access('a3', '2026-04-15T10:00:00.000Z', { action: 'list', target: 'type=report' }));
      await log.record(access('a4', '2026-05-02T08:00:00.000Z'));
      const got = await log.list({
        from: '2026-03-31T00:00:00.000Z',
        to: '2026-05-01T00:00:00.000Z',
        limit: 10,
      });
      expect(got.map((a) => a.id)).toEqual(['a3', 'a2', 'a1']);
      expect(got[1]).toEqual(
        access('a2', '2026-04-01T00:00:00.000Z', { action: 'verify', target: 'archive' }),
      );
    });

    it('keeps two retrievals made in the same millisecond, and stops at the limit', async () => {
      const log = await make();
      await log.record(access('b1', '2026-04-10T10:00:00.000Z'));
      await log.record(access('b2', '2026-04-10T10:00:00.000Z', { subject: 'someone.else@accord.local' }));
      await log.record(access('b3', '2026-04-10T11:00:00.000Z'));
      const all = await log.list({
        from: '2026-04-01T00:00:00.000Z',
        to: '2026-05-01T00:00:00.000Z',
        limit: 10,
      });
      expect(all.map((a) => a.id).sort()).toEqual(['b1', 'b2', 'b3']);
      expect(all[0]!.id).toBe('b3');
      expect(
        await log.list({ from: '2026-04-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z', limit: 1 }),
      ).toHaveLength(1);
    });
  });
}
