import { describe, expect, it } from 'vitest';
import { presentedApiKey, refusalStatus } from '../../../shared/domain/vendors/credentials.js';

const K = 'acme-key-0123456789abcdef'; // 25 visible ASCII characters: a well-shaped key
const OTHER = 'acme-key-fedcba9876543210';
const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;
const malformed = (sources: string[], path: string, problem: string) => ({
  kind: 'malformed',
  sources,
  problem: { path, problem },
});
const NOT_A_KEY = 'is not an API key (16-256 visible ASCII characters)';

describe('presentedApiKey: nothing presented', () => {
  it('sees no credential in a request without one, or with blank values only', () => {
    expect(presentedApiKey({})).toEqual({ kind: 'none' });
    expect(presentedApiKey({ authorization: '   ', 'dd-api-key': ' ', 'x-api-key': '' })).toEqual({
      kind: 'none',
    });
  });

  it('ignores the api_key query parameter where the route does not allow it', () => {
    expect(presentedApiKey({}, { api_key: K })).toEqual({ kind: 'none' });
    expect(presentedApiKey({}, { api_key: K }, false)).toEqual({ kind: 'none' });
  });
});

describe('presentedApiKey: Bearer', () => {
  it('reads the key after Bearer, whatever the scheme’s case and the spaces around the key', () => {
    expect(presentedApiKey({ authorization: `Bearer ${K}` })).toEqual({
      kind: 'key',
      key: K,
      sources: ['authorization-bearer'],
    });
    expect(presentedApiKey({ authorization: `  bEaReR    ${K}  ` })).toEqual({
      kind: 'key',
      key: K,
      sources: ['authorization-bearer'],
    });
  });

  it('takes everything after the scheme as the key, so a key with a space inside is refused as one', () => {
    expect(presentedApiKey({ authorization: 'Bearer acme-key 0123456789abcdef' })).toEqual(
      malformed(['authorization-bearer'], 'Authorization', NOT_A_KEY),
    );
  });

  it('refuses Bearer without a key, naming the Authorization header', () => {
    expect(presentedApiKey({ authorization: 'Bearer' })).toEqual(
      malformed(['authorization-bearer'], 'Authorization', 'Bearer carries no key'),
    );
  });

  it('refuses another scheme, naming it as sent in lower case', () => {
    expect(presentedApiKey({ authorization: `Token ${K}` })).toEqual(
      malformed(
        ['authorization-bearer'],
        'Authorization',
        'the token scheme is not accepted: send Bearer <key> or Basic credentials whose password is the key',
      ),
    );
    expect(presentedApiKey({ authorization: K })).toEqual(
      malformed(
        ['authorization-bearer'],
        'Authorization',
        `the ${K} scheme is not accepted: send Bearer <key> or Basic credentials whose password is the key`,
      ),
    );
  });
});

describe('presentedApiKey: Basic', () => {
  it('takes the password as the key, whatever the username', () => {
    expect(presentedApiKey({ authorization: basic(`acme:${K}`) })).toEqual({
      kind: 'key',
      key: K,
      sources: ['authorization-basic'],
    });
    expect(presentedApiKey({ authorization: basic(`:${K}`) })).toMatchObject({ kind: 'key', key: K });
  });

  it('keeps everything after the first colon as the password, colons included', () => {
    expect(presentedApiKey({ authorization: basic(`acme:${K}:2`) })).toMatchObject({
      kind: 'key',
      key: `${K}:2`,
    });
  });

  it('takes the username as the key when the password is empty', () => {
    expect(presentedApiKey({ authorization: basic(`${K}:`) })).toMatchObject({ kind: 'key', key: K });
  });

  it('reads the scheme without regard to case', () => {
    expect(presentedApiKey({ authorization: basic(`acme:${K}`).replace('Basic', 'BASIC') })).toMatchObject({
      kind: 'key',
      key: K,
      sources: ['authorization-basic'],
    });
  });

  it.each([
    ['nothing after Basic', 'Basic', 'Basic credentials are not base64'],
    ['text that is not base64', 'Basic not*base64!', 'Basic credentials are not base64'],
    ['base64 cut short (3 characters)', 'Basic YWJ', 'Basic credentials are not base64'],
    ['base64 with a space inside', 'Basic YWJj ZGVm', 'Basic credentials are not base64'],
    ['padding in the middle', 'Basic YW==YWJj', 'Basic credentials are not base64'],
    ['no colon', basic(K), 'Basic credentials must be username:password'],
    ['an empty username and password', basic(':'), 'Basic credentials carry no key'],
  ])('refuses Basic with %s, naming the Authorization header', (_name, authorization, problem) => {
    expect(presentedApiKey({ authorization })).toEqual(
      malformed(['authorization-basic'], 'Authorization', problem),
    );
  });

  it('accepts base64 ending with one or two padding characters', () => {
    // 'u:' + K is 27 bytes (27 mod 3 = 0: no padding); 'uv:' + K 28 bytes (==); 'uvw:' + K 29 bytes (=)
    expect(basic(`uv:${K}`).endsWith('==')).toBe(true);
    expect(basic(`uvw:${K}`).endsWith('=') && !basic(`uvw:${K}`).endsWith('==')).toBe(true);
    expect(presentedApiKey({ authorization: basic(`uv:${K}`) })).toMatchObject({ kind: 'key', key: K });
    expect(presentedApiKey({ authorization: basic(`uvw:${K}`) })).toMatchObject({ kind: 'key', key: K });
    expect(presentedApiKey({ authorization: basic(`u:${K}`) })).toMatchObject({ kind: 'key', key: K });
  });
});

describe('presentedApiKey: DD-API-KEY, x-api-key and ?api_key=', () => {
  it('reads the Datadog header, the generic header and, where allowed, the query parameter', () => {
    expect(presentedApiKey({ 'dd-api-key': ` ${K} ` })).toEqual({
      kind: 'key',
      key: K,
      sources: ['dd-api-key'],
    });
    expect(presentedApiKey({ 'x-api-key': K })).toEqual({ kind: 'key', key: K, sources: ['x-api-key'] });
    expect(presentedApiKey({}, { api_key: ` ${K}` }, true)).toEqual({
      kind: 'key',
      key: K,
      sources: ['api_key-query'],
    });
  });

  it('accepts the same key in every place, listing the places in a fixed order', () => {
    expect(
      presentedApiKey(
        { 'x-api-key': K, 'dd-api-key': K, authorization: `Bearer ${K}` },
        { api_key: K },
        true,
      ),
    ).toEqual({
      kind: 'key',
      key: K,
      sources: ['authorization-bearer', 'dd-api-key', 'x-api-key', 'api_key-query'],
    });
  });

  it('refuses different keys in different places, naming every place', () => {
    expect(presentedApiKey({ authorization: `Bearer ${K}`, 'x-api-key': OTHER })).toEqual(
      malformed(
        ['authorization-bearer', 'x-api-key'],
        'Authorization, x-api-key',
        'carry different API keys: send one key (in one place or the same key in each)',
      ),
    );
    expect(presentedApiKey({ 'dd-api-key': K }, { api_key: OTHER }, true)).toMatchObject({
      kind: 'malformed',
      problem: { path: 'dd-api-key, query.api_key' },
    });
  });
});

describe('presentedApiKey: the shape of a key', () => {
  it.each([
    ['16 characters', 'a'.repeat(16), true],
    ['15 characters', 'a'.repeat(15), false],
    ['256 characters', 'k'.repeat(256), true],
    ['257 characters', 'k'.repeat(257), false],
    ['a space inside', 'acme-key 0123456789', false],
    ['a character beyond ASCII', 'acme-key-0123456789é', false],
    ['a control character', 'acme-key-0123456789\u007f', false],
    ['every visible ASCII character from ! to ~', '!"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~', true],
  ])('a key of %s is %s', (_name, key, ok) => {
    const got = presentedApiKey({ 'x-api-key': key });
    expect(got).toEqual(
      ok ? { kind: 'key', key, sources: ['x-api-key'] } : malformed(['x-api-key'], 'x-api-key', NOT_A_KEY),
    );
  });

  it('names the place of the first malformed value, before comparing keys', () => {
    expect(presentedApiKey({ 'dd-api-key': 'short', 'x-api-key': 'tiny' })).toEqual(
      malformed(['dd-api-key', 'x-api-key'], 'dd-api-key', NOT_A_KEY),
    );
    expect(presentedApiKey({ authorization: 'Bearer', 'dd-api-key': 'short' })).toEqual(
      malformed(['authorization-bearer', 'dd-api-key'], 'Authorization', 'Bearer carries no key'),
    );
    expect(presentedApiKey({}, { api_key: 'short' }, true)).toEqual(
      malformed(['api_key-query'], 'query.api_key', NOT_A_KEY),
    );
  });
});

describe('refusalStatus', () => {
  it.each([
    [true, ['dd-api-key'], 403],
    [true, ['api_key-query'], 403],
    [true, ['authorization-bearer', 'dd-api-key'], 403],
    [true, ['authorization-bearer'], 401],
    [true, ['x-api-key', 'authorization-basic'], 401],
    [false, ['dd-api-key'], 401],
    [false, ['api_key-query'], 401],
  ] as const)('on a Datadog path %s with %j answers %i', (datadogPath, sources, status) => {
    expect(refusalStatus(datadogPath, sources)).toBe(status);
  });
});
