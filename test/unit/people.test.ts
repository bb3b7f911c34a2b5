import { describe, expect, it } from 'vitest';
import { actorKeys, type Person, personKeys, samePerson } from '../../shared/domain/people.js';

const sam: Person = { subject: '8f1c2d3e', email: 'sam.manager@bank.example' };
const vic: Person = { subject: 'vic@retail.example', email: 'vic@retail.example' };
const noMail: Person = { subject: 'Walt' };

describe('one rule for the same person (separation of duties and the cap on open change requests)', () => {
  it.each([
    ['the subject itself', sam, '8f1c2d3e', true],
    ['a subject differing only in case: another person (subjects are opaque ids)', sam, '8F1C2D3E', false],
    ['the e-mail in the case on record', sam, 'sam.manager@bank.example', true],
    [
      'the e-mail in another case (old records were typed in any case)',
      sam,
      'Sam.Manager@Bank.Example',
      true,
    ],
    ['someone else', sam, 'someone-else', false],
    ['nobody recorded', sam, undefined, false],
    ['an empty record', sam, '', false],
    [
      'an e-mail-shaped subject in another case, for a person whose e-mail it is',
      vic,
      'Vic@Retail.Example',
      true,
    ],
    ['a subject in another case, for a person with no e-mail on record', noMail, 'walt', false],
    ['the subject, for a person with no e-mail on record', noMail, 'Walt', true],
  ] as const)('%s', (_, person, recorded, same) => {
    expect(samePerson(person, recorded)).toBe(same);
  });
});

describe('person keys: finding by key exactly the records the rule gives to a person', () => {
  const people: Person[] = [sam, vic, noMail, { subject: 'Vic@retail.example' }, { subject: 'x', email: '' }];
  const recorded = [
    '8f1c2d3e',
    '8F1C2D3E',
    'sam.manager@bank.example',
    'SAM.MANAGER@bank.example',
    'vic@retail.example',
    'Vic@Retail.Example',
    'Vic@retail.example',
    'Walt',
    'walt',
    'x',
  ];

  it('shares exactly one key with each record of the person, and none with anyone else’s, so counts per key add up once', () => {
    for (const p of people)
      for (const r of recorded) {
        const shared = actorKeys(r).filter((k) => personKeys(p).includes(k));
        expect({ p, r, shared: shared.length }).toEqual({ p, r, shared: samePerson(p, r) ? 1 : 0 });
      }
  });

  it('files a record under its exact string and its lower case, and looks a person up by subject and e-mail', () => {
    expect(actorKeys('Vic@Retail.Example')).toEqual(['sub:Vic@Retail.Example', 'email:vic@retail.example']);
    expect(personKeys(sam)).toEqual(['sub:8f1c2d3e', 'email:sam.manager@bank.example']);
    expect(personKeys(vic)).toEqual(['email:vic@retail.example']);
    expect(personKeys(noMail)).toEqual(['sub:Walt']);
  });
});
