import { describe, expect, it } from 'vitest';
import { type TemplateBinding, templateFixedProblems } from '../../../shared/domain/agreements/templates.js';

const binding: TemplateBinding = {
  id: 'tpl-cards',
  version: 3,
  fixed: ['objectives', 'credits', 'title', 'escalation'],
};
const current = {
  title: 'Cards SLA',
  credits: { capPercent: 20 },
  objectives: [
    { id: 'availability', target: 99.9, owner: 'ada@example.com', customerContact: 'cy@example.com' },
  ],
  escalation: [{ level: 1, owner: 'ops@example.com' }],
  description: 'free text',
};
const message = 'is fixed by template tpl-cards v3 (the agreement was drafted from it)';

describe('templateFixedProblems: what a template version fixes stays fixed on every edit', () => {
  it('names each fixed field a change alters, with the template, its version and the path prefix', () => {
    expect(
      templateFixedProblems(
        current,
        { credits: { capPercent: 25 }, title: 'New', description: 'x' },
        binding,
        'changes.',
      ),
    ).toEqual([
      { path: 'changes.credits', problem: message },
      { path: 'changes.title', problem: message },
    ]);
  });

  it('uses the field name itself as the path without a prefix', () => {
    expect(templateFixedProblems(current, { title: 'New' }, binding)).toEqual([
      { path: 'title', problem: message },
    ]);
  });

  it('lets a fixed field be given with the value it already has, and a fixed field not given at all', () => {
    expect(
      templateFixedProblems(current, { title: 'Cards SLA', credits: { capPercent: 20 } }, binding),
    ).toEqual([]);
    expect(templateFixedProblems(current, { description: 'new words' }, binding)).toEqual([]);
  });

  it('lets an objective’s owner and customer contact change: they are the agreement’s, not the template’s', () => {
    const objectives = [
      { id: 'availability', target: 99.9, owner: 'bo@example.com', customerContact: 'di@example.com' },
    ];
    expect(templateFixedProblems(current, { objectives }, binding)).toEqual([]);
    const noPeople = [{ id: 'availability', target: 99.9 }];
    expect(templateFixedProblems(current, { objectives: noPeople }, binding)).toEqual([]);
  });

  it('refuses a new target on an objective even when its people change too', () => {
    const objectives = [{ id: 'availability', target: 99.5, owner: 'bo@example.com' }];
    expect(templateFixedProblems(current, { objectives }, binding)).toEqual([
      { path: 'objectives', problem: message },
    ]);
  });

  it('keeps the people of a field other than objectives: a new escalation owner alters a fixed field', () => {
    expect(
      templateFixedProblems(current, { escalation: [{ level: 1, owner: 'boss@example.com' }] }, binding),
    ).toEqual([{ path: 'escalation', problem: message }]);
  });

  it('compares objectives that are not a list, or not objects, as they are', () => {
    expect(templateFixedProblems(current, { objectives: 'none' }, binding)).toEqual([
      { path: 'objectives', problem: message },
    ]);
    expect(templateFixedProblems({ objectives: [null] }, { objectives: [null] }, binding)).toEqual([]);
    expect(templateFixedProblems({ objectives: ['a'] }, { objectives: ['b'] }, binding)).toHaveLength(1);
  });

  it('fixes nothing for an agreement not drafted from a template', () => {
    expect(templateFixedProblems(current, { title: 'New' }, undefined)).toEqual([]);
  });
});
