import { describe, expect, it } from 'vitest';
import { basePathOf } from '../../shared/http/handler.js';
import { sampleEvent } from '../helpers/events.js';

/** Where the API is mounted, as the client reached it: what Location headers and OpenAPI `servers` start with. */
describe('the base path links are built on', () => {
  const event = (path: string | undefined, domainName: string, resource = '/v1/agreements') => {
    const e = sampleEvent('api/agreements-create');
    e.resource = resource;
    e.requestContext = { ...e.requestContext, domainName, stage: 'live' };
    if (path === undefined) delete (e.requestContext as { path?: string }).path;
    else e.requestContext.path = path;
    return e;
  };

  it('is the stage on the execute-api domain (the sample event AWS documents says /prod)', () => {
    expect(basePathOf(sampleEvent('api/agreements-create'))).toBe('/prod');
    expect(basePathOf(event('/live/v1/agreements', 'abc123.execute-api.eu-west-1.amazonaws.com'))).toBe(
      '/live',
    );
  });

  it('is the stage on the execute-api domain even when requestContext.path leaves it out', () => {
    expect(basePathOf(event('/v1/agreements', 'abc123.execute-api.eu-west-1.amazonaws.com'))).toBe('/live');
    expect(basePathOf(event(undefined, 'abc123.execute-api.eu-west-1.amazonaws.com'))).toBe('/live');
  });

  it("is a custom domain's base path mapping, or nothing when the API is mapped at its root", () => {
    expect(basePathOf(event('/accord/v1/agreements', 'api.bank.example'))).toBe('/accord');
    expect(basePathOf(event('/v1/agreements', 'api.bank.example'))).toBe('');
  });

  it('counts the route’s own segments from the resource template, path parameters included', () => {
    expect(
      basePathOf(
        event(
          '/live/v1/agreements/agr_01JAAAAAAAAAAAAAAAAAAAAAAA/versions/3',
          'abc123.execute-api.eu-west-1.amazonaws.com',
          '/v1/agreements/{agreementId}/versions/{version}',
        ),
      ),
    ).toBe('/live');
  });

  it('is nothing on the embedded default, which serves at the root', () => {
    expect(basePathOf(event('/v1/agreements', 'localhost'))).toBe('');
  });
});
