import { describe, expect, it } from 'vitest';
import { PublishBody } from '../../../shared/schemas/reports.js';

describe('the publish body', () => {
  it('refuses a format named twice, naming formats, before anything is archived', () => {
    const r = PublishBody.safeParse({ period: '2026-11', formats: ['json', 'json'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['formats', 'names a format more than once'],
    ]);
  });

  it('still takes each format once, and defaults to PDF and JSON', () => {
    expect(PublishBody.parse({ formats: ['pdf', 'csv', 'html', 'json'] }).formats).toEqual([
      'pdf',
      'csv',
      'html',
      'json',
    ]);
    expect(PublishBody.parse({}).formats).toEqual(['pdf', 'json']);
  });
});
