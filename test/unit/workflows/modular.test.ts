import { describe, expect, it } from 'vitest';
import {
  effectiveTerms,
  masterProblems,
  scheduleProblems,
} from '../../../shared/domain/agreements/modular.js';
import { loadModularPolicy } from '../../../shared/policy/modular.js';
import { agreementVersion } from '../../helpers/fixtures.js';

const policy = loadModularPolicy();
const master = agreementVersion({
  id: 'agr_master',
  version: 3,
  status: 'active',
  objectives: [],
  customerResponsibilities: ['name a service manager'],
  module: { role: 'master', caps: { creditPercent: 25 } },
});
const schedule = agreementVersion({
  id: 'agr_sched',
  version: 1,
  status: 'draft',
  customerResponsibilities: ['keep API keys secret', 'name a service manager'],
  credits: {
    currency: 'EUR',
    monthlyCharge: 1000,
    tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
    capPercent: 20,
  },
  module: { role: 'schedule', masterId: 'agr_master' },
});

describe('modular agreement precedence (issue 11 item 6)', () => {
  it('loads the precedence policy and refuses a rule on a term no master may rule, or a rule a term cannot take', () => {
    expect(policy.terms.jurisdiction).toBe('master');
    expect(() => loadModularPolicy({ version: 1, terms: { objectives: 'master' } })).toThrow(
      /terms\.objectives: is not a master-level term/,
    );
    expect(() => loadModularPolicy({ version: 1, terms: { jurisdiction: 'union' } })).toThrow(
      /terms\.jurisdiction: may take master, not union/,
    );
  });

  it('keeps objectives, credit tiers and underpinning out of a master', () => {
    expect(
      masterProblems({ kind: 'OLA', objectives: [], underpinnedBy: ['agr_x'] }).map((p) => p.path),
    ).toEqual(['kind', 'underpinnedBy']);
    expect(masterProblems(master)).toEqual([]);
  });

  it('accepts a schedule under its master and names each term that contradicts it', () => {
    expect(scheduleProblems(schedule, master, policy)).toEqual([]);
    const contrary = {
      ...schedule,
      jurisdiction: { governingLaw: 'New York', country: 'US' },
      credits: { ...schedule.credits!, capPercent: 40 },
    };
    expect(scheduleProblems(contrary, master, policy).map((p) => p.path)).toEqual([
      'jurisdiction',
      'credits.capPercent',
    ]);
    expect(scheduleProblems(schedule, { ...master, module: undefined }, policy)).toEqual([
      { path: 'module.masterId', problem: 'names no master agreement' },
    ]);
    expect(scheduleProblems(schedule, { ...master, status: 'sunset' }, policy)[0]).toEqual({
      path: 'module.masterId',
      problem: 'names a master agreement that is sunset',
    });
  });

  it('takes the lower credit cap, unites the customer responsibilities and names the source of every term', () => {
    // The schedule's own cap (20) is below the master's (25): the schedule's binds.
    const own = effectiveTerms(schedule, master, policy);
    expect((own.terms.credits as { capPercent: number }).capPercent).toBe(20);
    expect(own.sources['credits.capPercent']).toEqual({
      from: 'schedule',
      rule: 'lowest',
      agreementId: 'agr_sched',
      version: 1,
    });
    expect(own.terms.customerResponsibilities).toEqual(['name a service manager', 'keep API keys secret']);
    expect(own.sources.customerResponsibilities).toMatchObject({ from: 'both', rule: 'union', version: 3 });
    // The master lowers its cap to 15 in a new version: the schedule's effective cap follows it.
    const lowered = effectiveTerms(
      schedule,
      { ...master, version: 4, module: { role: 'master', caps: { creditPercent: 15 } } },
      policy,
    );
    expect((lowered.terms.credits as { capPercent: number }).capPercent).toBe(15);
    expect(lowered.sources['credits.capPercent']).toEqual({
      from: 'master',
      rule: 'lowest',
      agreementId: 'agr_master',
      version: 4,
    });
    expect(lowered.sources.objectives).toEqual({
      from: 'schedule',
      rule: 'own',
      agreementId: 'agr_sched',
      version: 1,
    });
  });
});
