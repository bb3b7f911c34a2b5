import { describe, expect, it } from 'vitest';
import { presentedApiKey, refusalStatus } from '../../../shared/domain/vendors/credentials.js';

const KEY = 'ak_Zm9vYmFyYmF6cXV4cXV1eGNvcmdl';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('reading a vendor key the way clients send it', () => {
  const cases: [string, Record<string, string>, string[]][] = [
    [
      'Prometheus remote_write authorization (Bearer)',
      { authorization: `Bearer ${KEY}` },
      ['authorization-bearer'],
    ],
    ['a lower-case scheme', { authorization: `bearer ${KEY}` }, ['authorization-bearer']],
    [
      'Prometheus basic_auth: the password is the key',
      { authorization: `Basic ${b64(`acme:${KEY}`)}` },
      ['authorization-basic'],
    ],
    [
      'basic_auth whose password holds a colon',
      { authorization: `Basic ${b64(`acme:${KEY}:x`)}` },
      ['authorization-basic'],
    ],
    [
      'basic credentials with the key as the username and no password',
      { authorization: `Basic ${b64(`${KEY}:`)}` },
      ['authorization-basic'],
    ],
    ['the Datadog Agent (DD-API-KEY)', { 'dd-api-key': KEY }, ['dd-api-key']],
    ['generic agents (x-api-key)', { 'x-api-key': KEY }, ['x-api-key']],
    [
      'one key in two places',
      { authorization: `Bearer ${KEY}`, 'x-api-key': KEY },
      ['authorization-bearer', 'x-api-key'],
    ],
  ];
  for (const [name, headers, sources] of cases) {
    it(`finds the key sent by ${name}`, () => {
      const p = presentedApiKey(headers);
      const key = name.includes('colon') ? `${KEY}:x` : KEY;
      expect(p).toEqual({ kind: 'key', key, sources });
    });
  }

  it('reads ?api_key= only where it is allowed (the Datadog validate path)', () => {
    expect(presentedApiKey({}, { api_key: KEY }, true)).toEqual({
      kind: 'key',
      key: KEY,
      sources: ['api_key-query'],
    });
    expect(presentedApiKey({}, { api_key: KEY }, false)).toEqual({ kind: 'none' });
  });

  it('finds nothing when no header carries a key, blank ones included', () => {
    expect(presentedApiKey({})).toEqual({ kind: 'none' });
    expect(presentedApiKey({ authorization: '  ', 'x-api-key': '' })).toEqual({ kind: 'none' });
  });

  const malformed: [string, Record<string, string>, string, RegExp][] = [
    ['Bearer with nothing after it', { authorization: 'Bearer' }, 'Authorization', /no key/],
    ['Basic that is not base64', { authorization: 'Basic !!!' }, 'Authorization', /not base64/],
    ['Basic without a colon', { authorization: `Basic ${b64(KEY)}` }, 'Authorization', /username:password/],
    [
      'Basic with neither username nor password',
      { authorization: `Basic ${b64(':')}` },
      'Authorization',
      /no key/,
    ],
    ['another scheme', { authorization: `Token ${KEY}` }, 'Authorization', /token scheme is not accepted/],
    ['a key too short to be one', { 'x-api-key': 'short' }, 'x-api-key', /not an API key/],
    ['a key with a space in it', { 'dd-api-key': 'abc def ghi jkl mno pqr' }, 'dd-api-key', /not an API key/],
    [
      'two different keys',
      { authorization: `Bearer ${KEY}`, 'dd-api-key': `${KEY}x` },
      'Authorization, dd-api-key',
      /different API keys/,
    ],
  ];
  for (const [name, headers, path, problem] of malformed) {
    it(`refuses ${name}, naming ${path}`, () => {
      const p = presentedApiKey(headers);
      expect(p.kind).toBe('malformed');
      if (p.kind !== 'malformed') throw new Error('unreachable');
      expect(p.problem.path).toBe(path);
      expect(p.problem.problem).toMatch(problem);
    });
  }
});

describe('the status a refused key gets', () => {
  it('is 401 everywhere, so that Prometheus drops a batch it can never send', () => {
    expect(refusalStatus(false, ['authorization-bearer'])).toBe(401);
    expect(refusalStatus(false, ['dd-api-key'])).toBe(401);
    expect(refusalStatus(true, ['authorization-bearer'])).toBe(401);
    expect(refusalStatus(true, ['x-api-key'])).toBe(401);
  });

  it('is 403 where a Datadog client sent its key the Datadog way to a Datadog path, as Datadog answers', () => {
    expect(refusalStatus(true, ['dd-api-key'])).toBe(403);
    expect(refusalStatus(true, ['api_key-query'])).toBe(403);
  });
});
