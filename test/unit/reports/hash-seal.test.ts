import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reportHash, sealReport } from '../../../shared/domain/reports/hash.js';
import type { ReportModel } from '../../../shared/domain/reports/model.js';

const sha256 = (d: string | Uint8Array) => createHash('sha256').update(d).digest('hex');

const model: ReportModel = {
  schema: 'accord.report/v1',
  id: 'rep_01HASH',
  type: 'error-budget',
  title: 'Error-budget status',
  scopeLabel: 'Portfolio',
  audience: 'internal',
  period: { label: '2026-04', start: '2026-04-01T00:00:00.000Z', end: '2026-05-01T00:00:00.000Z' },
  generatedAt: '2026-05-02T06:00:00.000Z',
  generatedBy: 'system',
  summary: [{ label: 'Objectives', cell: { t: 'number', v: 3, digits: 0 } }],
  sections: [],
  commentary: [],
  notes: ['a note'],
  hash: 'an old hash',
};

// The canonical JSON written out by hand: members sorted by name, no `hash`, no spaces.
const CANONICAL =
  '{"audience":"internal","commentary":[],"generatedAt":"2026-05-02T06:00:00.000Z","generatedBy":"system","id":"rep_01HASH",' +
  '"notes":["a note"],"period":{"end":"2026-05-01T00:00:00.000Z","label":"2026-04","start":"2026-04-01T00:00:00.000Z"},' +
  '"schema":"accord.report/v1","scopeLabel":"Portfolio","sections":[],"summary":[{"cell":{"digits":0,"t":"number","v":3},"label":"Objectives"}],' +
  '"title":"Error-budget status","type":"error-budget"}';

describe("a report's hash", () => {
  it('is the SHA-256 of the canonical JSON of the model without its hash member, so a reader can recompute it', () => {
    expect(reportHash(model, sha256)).toBe(sha256(CANONICAL));
  });

  it('does not depend on the hash the model carried, and changes with any figure', () => {
    expect(reportHash({ ...model, hash: '' }, sha256)).toBe(reportHash(model, sha256));
    expect(reportHash({ ...model, title: 'Error-budget status.' }, sha256)).not.toBe(
      reportHash(model, sha256),
    );
  });

  it('is set by sealing, which keeps every other member as it was', () => {
    expect(sealReport(model, sha256)).toEqual({ ...model, hash: sha256(CANONICAL) });
  });
});
