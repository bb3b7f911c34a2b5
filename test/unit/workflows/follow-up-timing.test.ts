import { describe, expect, it } from 'vitest';
import {
  type FollowUpPolicy,
  followUp,
  startOfLocalDay,
} from '../../../shared/domain/workflows/follow-up.js';

const HOUR = 3_600_000;
const due = Date.UTC(2026, 2, 10, 12); // a task due 2026-03-10T12:00Z
const policy: FollowUpPolicy = { remindBeforeHours: [24, 4], escalateEveryHours: 6 };
const fresh = { reminders: 0, level: 0 };

describe('followUp: reminders before the deadline', () => {
  it('sends nothing before the first reminder is due', () => {
    expect(followUp(due, due - 25 * HOUR, fresh, policy, 3)).toEqual({
      remind: null,
      escalateTo: null,
      next: { reminders: 0, level: 0 },
      overdue: false,
    });
  });

  it('sends the first reminder exactly 24 hours before the deadline', () => {
    expect(followUp(due, due - 24 * HOUR, fresh, policy, 3)).toEqual({
      remind: 0,
      escalateTo: null,
      next: { reminders: 1, level: 0 },
      overdue: false,
    });
  });

  it('does not send the first reminder a millisecond before its time', () => {
    expect(followUp(due, due - 24 * HOUR - 1, fresh, policy, 3).remind).toBeNull();
  });

  it('sends the second reminder at 4 hours before once the first went out, and not the first again', () => {
    expect(followUp(due, due - 4 * HOUR, { reminders: 1, level: 0 }, policy, 3)).toMatchObject({
      remind: 1,
      next: { reminders: 2, level: 0 },
    });
    expect(followUp(due, due - 5 * HOUR, { reminders: 1, level: 0 }, policy, 3)).toMatchObject({
      remind: null,
      next: { reminders: 1, level: 0 },
    });
  });

  it('collapses two reminders that fell due together into the latest one', () => {
    expect(followUp(due, due - 3 * HOUR, fresh, policy, 3)).toMatchObject({
      remind: 1,
      next: { reminders: 2, level: 0 },
    });
  });

  it('sends nothing more once every reminder went out', () => {
    expect(followUp(due, due - HOUR, { reminders: 2, level: 0 }, policy, 3)).toMatchObject({
      remind: null,
      escalateTo: null,
      next: { reminders: 2, level: 0 },
    });
  });
});

describe('followUp: escalation once overdue', () => {
  it('is overdue at the deadline itself: no reminder then, every reminder counted as spent, level 1', () => {
    expect(followUp(due, due, fresh, policy, 3)).toEqual({
      remind: null,
      escalateTo: 1,
      next: { reminders: 2, level: 1 },
      overdue: true,
    });
  });

  it('escalates one more level every 6 hours overdue: level 2 at exactly 6 hours, still 1 a millisecond before', () => {
    const atLevel1 = { reminders: 2, level: 1 };
    // 1 + ⌊6 h / 6 h⌋ = 2; 1 + ⌊(6 h − 1 ms) / 6 h⌋ = 1
    expect(followUp(due, due + 6 * HOUR, atLevel1, policy, 3)).toMatchObject({
      escalateTo: 2,
      next: { level: 2 },
    });
    expect(followUp(due, due + 6 * HOUR - 1, atLevel1, policy, 3)).toMatchObject({
      escalateTo: null,
      next: { reminders: 2, level: 1 },
      overdue: true,
    });
  });

  it('jumps to the level due after a long silence, capped at the matrix’s last level', () => {
    // 13 h overdue: 1 + ⌊13 / 6⌋ = 3; 100 h overdue: 1 + ⌊100 / 6⌋ = 17, capped at 3
    expect(followUp(due, due + 13 * HOUR, { reminders: 2, level: 1 }, policy, 5).escalateTo).toBe(3);
    expect(followUp(due, due + 100 * HOUR, fresh, policy, 3)).toMatchObject({
      escalateTo: 3,
      next: { level: 3 },
    });
    expect(followUp(due, due + 100 * HOUR, { reminders: 2, level: 3 }, policy, 3).escalateTo).toBeNull();
  });

  it('escalates a 2.5-hour step at its own pace', () => {
    // 7.4 h overdue over 2.5 h steps: 1 + ⌊2.96⌋ = 3
    const p = { remindBeforeHours: [1], escalateEveryHours: 2.5 };
    expect(followUp(due, due + 7.4 * HOUR, { reminders: 1, level: 0 }, p, 9).escalateTo).toBe(3);
  });

  it('escalates to nobody when the matrix has no level', () => {
    expect(followUp(due, due + 30 * HOUR, fresh, policy, 0)).toEqual({
      remind: null,
      escalateTo: null,
      next: { reminders: 2, level: 0 },
      overdue: true,
    });
  });
});

describe('startOfLocalDay: the instant a local date begins', () => {
  it.each([
    ['London in winter (GMT)', '2026-01-15', 'Europe/London', Date.UTC(2026, 0, 15, 0)],
    ['London in summer (BST, UTC+1)', '2026-07-01', 'Europe/London', Date.UTC(2026, 5, 30, 23)],
    // London falls back at 01:00Z on 25 October: its midnight is still BST (UTC+1), 23:00Z the day before
    ['London on the fall-back day', '2026-10-25', 'Europe/London', Date.UTC(2026, 9, 24, 23)],
    ['Tokyo (UTC+9) on new year’s day', '2026-01-01', 'Asia/Tokyo', Date.UTC(2025, 11, 31, 15)],
    ['Kathmandu (UTC+5:45)', '2026-06-01', 'Asia/Kathmandu', Date.UTC(2026, 4, 31, 18, 15)],
    [
      'New York on the spring-forward day (02:00 change, EST)',
      '2026-03-08',
      'America/New_York',
      Date.UTC(2026, 2, 8, 5),
    ],
    ['New York on the fall-back day (EDT)', '2026-11-01', 'America/New_York', Date.UTC(2026, 10, 1, 4)],
    // Havana springs forward at 00:00 EST (05:00Z) to 01:00 CDT: no midnight, the day begins at 05:00Z
    ['Havana, whose clocks skip midnight', '2026-03-08', 'America/Havana', Date.UTC(2026, 2, 8, 5)],
    // Santiago: 00:00 CLT (UTC−4) becomes 01:00 CLST at 04:00Z
    ['Santiago, whose clocks skip midnight', '2026-09-06', 'America/Santiago', Date.UTC(2026, 8, 6, 4)],
    // Beirut: 00:00 EET (UTC+2) becomes 01:00 EEST at 22:00Z the day before
    [
      'Beirut, whose clocks skip midnight east of Greenwich',
      '2026-03-29',
      'Asia/Beirut',
      Date.UTC(2026, 2, 28, 22),
    ],
    // Havana falls back at 01:00 CDT to 00:00 CST: midnight twice, the first (CDT, UTC−4) is 04:00Z
    [
      'Havana, whose midnight repeats: the first one',
      '2026-11-01',
      'America/Havana',
      Date.UTC(2026, 10, 1, 4),
    ],
  ])('%s', (_name, date, zone, expected) => {
    expect(new Date(startOfLocalDay(date, zone)).toISOString()).toBe(new Date(expected).toISOString());
  });

  it('gives the same answer for a zone asked twice (its formatter is kept)', () => {
    expect(startOfLocalDay('2026-12-24', 'Australia/Sydney')).toBe(Date.UTC(2026, 11, 23, 13)); // AEDT, UTC+11
    expect(startOfLocalDay('2026-12-25', 'Australia/Sydney')).toBe(Date.UTC(2026, 11, 24, 13));
  });
});
