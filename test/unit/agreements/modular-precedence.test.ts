import { describe, expect, it } from 'vitest';
import {
  effectiveTerms,
  inheritFromMaster,
  type ModularPolicy,
  masterProblems,
  same,
  scheduleProblems,
} from '../../../shared/domain/agreements/modular.js';
import { loadModularPolicy } from '../../../shared/policy/modular.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { agreementVersion } from '../../helpers/fixtures.js';

// What shared/domain/agreements/modular.ts promises (issue 11 item 6), stated directly: a master agreement's
// corporate terms bind its schedules by the precedence policy (shared/policy/modular.json: jurisdiction, data
// residency and review cycle `master`, customer responsibilities `union`, the credit cap `lowest`).

const policy = loadModularPolicy();
/** The same policy with the credit cap ruled by the master instead of the lower of the two. */
const capByMaster: ModularPolicy = { terms: { ...policy.terms, 'credits.capPercent': 'master' } };

const master = agreementVersion({
  id: 'agr_master',
  version: 3,
  status: 'active',
  objectives: [],
  customerResponsibilities: ['name a service manager'],
  module: {
    role: 'master',
    caps: { creditPercent: 25, liability: { currency: 'EUR', amount: 1_000_000 } },
  },
});
const credits = (capPercent: number) => ({
  currency: 'EUR',
  monthlyCharge: 1000,
  tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
  capPercent,
});
const schedule = agreementVersion({
  id: 'agr_sched',
  version: 1,
  status: 'draft',
  customerResponsibilities: ['keep API keys secret', 'name a service manager'],
  credits: credits(20),
  module: { role: 'schedule', masterId: 'agr_master' },
});
const newYork = { governingLaw: 'New York', country: 'US' };

describe('comparing terms', () => {
  it('treats two JSON values as the same whatever the order of their keys, but not of their list items', () => {
    expect(same({ a: 1, b: { c: 2, d: [3, 4] } }, { b: { d: [3, 4], c: 2 }, a: 1 })).toBe(true);
    expect(same([1, 2], [2, 1])).toBe(false);
    expect(same({ a: 1 }, { a: 2 })).toBe(false);
  });

  it('does not refuse a schedule whose master-ruled term lists the same fields in another order', () => {
    const reordered = { ...schedule, jurisdiction: { country: 'GB', governingLaw: 'England and Wales' } };
    expect(scheduleProblems(reordered, master, policy)).toEqual([]);
  });
});

describe('what a master agreement may hold', () => {
  it('names each thing a master may not hold, with its path and reason', () => {
    expect(
      masterProblems({
        kind: 'OLA',
        objectives: schedule.objectives,
        credits: credits(20),
        underpinnedBy: ['agr_x'],
      }),
    ).toEqual([
      { path: 'kind', problem: 'a master agreement is an SLA' },
      { path: 'objectives', problem: 'belong to the schedules: a master agreement has none' },
      { path: 'credits', problem: 'belong to the schedules: a master caps them with module.caps' },
      { path: 'underpinnedBy', problem: 'belongs to the schedules: a master is underpinned by none' },
    ]);
  });
});

describe('whether a schedule may stand under its master', () => {
  it('names a schedule that is not an SLA, of another provider unit, or for another customer', () => {
    const stray = {
      ...schedule,
      kind: 'OLA' as const,
      businessUnit: 'cards',
      parties: { ...schedule.parties, customer: { type: 'business-unit' as const, businessUnit: 'wealth' } },
    };
    expect(scheduleProblems(stray, master, policy)).toEqual([
      { path: 'kind', problem: 'a schedule under a master is an SLA' },
      { path: 'businessUnit', problem: 'must be the master agreement’s provider unit' },
      { path: 'parties.customer', problem: 'must be the master agreement’s customer' },
    ]);
  });

  it('reports a body without parties as not naming the master’s customer instead of failing', () => {
    // The function is defensive about a body not yet validated: a problem, never a TypeError (a 500).
    const { parties: _p, ...noParties } = schedule;
    const body = noParties as unknown as Parameters<typeof scheduleProblems>[0];
    expect(scheduleProblems(body, master, policy)).toEqual([
      { path: 'parties.customer', problem: 'must be the master agreement’s customer' },
    ]);
  });

  it('lets a schedule leave out a master-ruled term, and refuses one stating another, naming the master’s version', () => {
    const { jurisdiction: _j, ...silent } = schedule;
    expect(scheduleProblems(silent, master, policy)).toEqual([]);
    expect(scheduleProblems({ ...schedule, jurisdiction: newYork }, master, policy)).toEqual([
      {
        path: 'jurisdiction',
        problem: 'differs from master agreement agr_master v3, whose term governs (policy: master)',
      },
    ]);
  });

  it('judges only the fields an update changes, a nested term by its top-level field', () => {
    const contrary = { ...schedule, jurisdiction: newYork, credits: credits(30) };
    // An update of the title alone judges neither the jurisdiction nor the credit cap.
    expect(scheduleProblems(contrary, master, policy, new Set(['title']))).toEqual([]);
    expect(scheduleProblems(contrary, master, policy, new Set(['jurisdiction'])).map((p) => p.path)).toEqual([
      'jurisdiction',
    ]);
    // `credits.capPercent` is judged when `credits` changes.
    expect(scheduleProblems(contrary, master, policy, new Set(['credits']))).toEqual([
      { path: 'credits.capPercent', problem: '30 is above the master’s cap of 25% (policy: lowest)' },
    ]);
  });

  it('under `lowest`, accepts a cap equal to or below the master’s and refuses one above it', () => {
    expect(scheduleProblems({ ...schedule, credits: credits(25) }, master, policy)).toEqual([]);
    expect(scheduleProblems({ ...schedule, credits: credits(20) }, master, policy)).toEqual([]);
    expect(scheduleProblems({ ...schedule, credits: credits(26) }, master, policy)).toEqual([
      { path: 'credits.capPercent', problem: '26 is above the master’s cap of 25% (policy: lowest)' },
    ]);
  });

  it('under `master`, accepts only the master’s own cap, refusing a lower one as well as a higher one', () => {
    expect(scheduleProblems({ ...schedule, credits: credits(25) }, master, capByMaster)).toEqual([]);
    expect(scheduleProblems({ ...schedule, credits: credits(20) }, master, capByMaster)).toEqual([
      { path: 'credits.capPercent', problem: '20 is not the master’s cap of 25% (policy: master)' },
    ]);
    expect(scheduleProblems({ ...schedule, credits: credits(30) }, master, capByMaster)).toEqual([
      { path: 'credits.capPercent', problem: '30 is not the master’s cap of 25% (policy: master)' },
    ]);
  });
});

describe('the master-ruled terms a new schedule inherits', () => {
  it('fills each master-ruled term the body leaves out, keeps what it states, and leaves union and cap terms alone', () => {
    const body = { title: 'Card API schedule', jurisdiction: newYork };
    // dataResidency and reviewCycle come from the master; jurisdiction stays as stated (scheduleProblems then
    // refuses it); customerResponsibilities (union) and credits.capPercent (lowest) are not copied.
    expect(inheritFromMaster(body, master, policy)).toStrictEqual({
      title: 'Card API schedule',
      jurisdiction: newYork,
      dataResidency: master.dataResidency,
      reviewCycle: master.reviewCycle,
    });
  });
});

describe('the effective terms of an agreement and where each came from', () => {
  const own = (a: AgreementVersion) => ({
    from: 'schedule',
    rule: 'own',
    agreementId: a.id,
    version: a.version,
  });
  const fromMaster = (rule: string, version = 3) => ({
    from: 'master',
    rule,
    agreementId: 'agr_master',
    version,
  });

  it('gives a standalone agreement its own terms, only those it states, each from itself', () => {
    const standalone = agreementVersion({ id: 'agr_alone', version: 2 });
    const { terms, sources } = effectiveTerms(standalone, undefined, policy);
    // The fixture states every term field but description, renewal, underpinning and indemnification.
    const stated = [
      'title',
      'parties',
      'scope',
      'timeZone',
      'supportedHours',
      'objectives',
      'customerResponsibilities',
      'reviewCycle',
      'jurisdiction',
      'dataResidency',
      'complianceTags',
      'effectiveFrom',
      'effectiveTo',
      'underpinnedBy',
      'escalation',
    ];
    expect(Object.keys(terms)).toEqual(stated);
    expect(Object.keys(sources)).toEqual(stated);
    expect(terms.jurisdiction).toEqual(standalone.jurisdiction);
    expect(sources.jurisdiction).toEqual(own(standalone));
  });

  it('ignores a master passed for an agreement that is not a schedule', () => {
    const standalone = agreementVersion({ id: 'agr_alone', customerResponsibilities: ['pay on time'] });
    const { terms, sources } = effectiveTerms(standalone, master, policy);
    expect(terms.customerResponsibilities).toEqual(['pay on time']);
    expect(sources.customerResponsibilities).toEqual(own(standalone));
    expect(terms).not.toHaveProperty('liabilityCap');
  });

  it('gives a master its own liability cap as a term of its own', () => {
    const { terms, sources } = effectiveTerms(master, undefined, policy);
    expect(terms.liabilityCap).toEqual({ currency: 'EUR', amount: 1_000_000 });
    expect(sources.liabilityCap).toEqual(own(master));
  });

  it('gives a schedule the master’s liability cap, and none when the master has none', () => {
    const withCap = effectiveTerms(schedule, master, policy);
    expect(withCap.terms.liabilityCap).toEqual({ currency: 'EUR', amount: 1_000_000 });
    expect(withCap.sources.liabilityCap).toEqual(fromMaster('master'));
    const noLiability = { ...master, module: { role: 'master' as const, caps: { creditPercent: 25 } } };
    const without = effectiveTerms(schedule, noLiability, policy);
    expect(without.terms).not.toHaveProperty('liabilityCap');
    expect(without.sources).not.toHaveProperty('liabilityCap');
  });

  it('takes a master-ruled term from the master’s version in force, naming it', () => {
    // The master's version 4 moved its jurisdiction to New York: the schedule's effective term follows.
    const moved = { ...master, version: 4, jurisdiction: newYork };
    const { terms, sources } = effectiveTerms(schedule, moved, policy);
    expect(terms.jurisdiction).toEqual(newYork);
    expect(sources.jurisdiction).toEqual(fromMaster('master', 4));
  });

  it('keeps the schedule’s own term when its master lacks a master-ruled one', () => {
    // Defensive: a master record without a review cycle leaves the schedule's own in force rather than none.
    const { reviewCycle: _r, ...rest } = master;
    const { terms, sources } = effectiveTerms(schedule, rest as AgreementVersion, policy);
    expect(terms.reviewCycle).toEqual(schedule.reviewCycle);
    expect(sources.reviewCycle).toEqual(own(schedule));
  });

  it('under `master`, gives the schedule the master’s cap even when its own is lower', () => {
    const { terms, sources } = effectiveTerms(schedule, master, capByMaster);
    expect(terms.credits).toEqual(credits(25));
    expect(sources['credits.capPercent']).toEqual(fromMaster('master'));
  });

  it('under `lowest`, keeps the schedule’s own cap when it equals the master’s', () => {
    const even = { ...schedule, credits: credits(25) };
    const { terms, sources } = effectiveTerms(even, master, policy);
    expect(terms.credits).toEqual(credits(25));
    expect(sources['credits.capPercent']).toEqual({ ...own(even), rule: 'lowest' });
  });

  it('names the master alone as the source of the customer responsibilities when the schedule adds none', () => {
    const repeats = { ...schedule, customerResponsibilities: ['name a service manager'] };
    const { terms, sources } = effectiveTerms(repeats, master, policy);
    expect(terms.customerResponsibilities).toEqual(['name a service manager']);
    expect(sources.customerResponsibilities).toEqual(fromMaster('union'));
  });

  it('counts customer responsibilities missing on either side as none', () => {
    // Defensive: records without the list (the schema defaults it to [] on write).
    const { customerResponsibilities: _s, ...bare } = schedule;
    const onlyMaster = effectiveTerms(bare as AgreementVersion, master, policy);
    expect(onlyMaster.terms.customerResponsibilities).toEqual(['name a service manager']);
    expect(onlyMaster.sources.customerResponsibilities).toEqual(fromMaster('union'));
    const { customerResponsibilities: _m, ...bareMaster } = master;
    const single = { ...schedule, customerResponsibilities: ['keep API keys secret'] };
    const onlySchedule = effectiveTerms(single, bareMaster as AgreementVersion, policy);
    expect(onlySchedule.terms.customerResponsibilities).toEqual(['keep API keys secret']);
    // One responsibility more than the master's none: both contributed to the union.
    expect(onlySchedule.sources.customerResponsibilities).toEqual({ ...fromMaster('union'), from: 'both' });
  });
});
