import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../../shared/domain/errors.js';
import { datadogKeyRefusal } from '../../../shared/domain/telemetry/scope.js';

/** The Datadog paths answer a key that no longer authenticates as Datadog does: 403 (the Agent drops, not retries). */
describe('the Datadog paths’ refusal of a key that no longer authenticates', () => {
  it('turns a revoked or expired key into a 403 naming DD-API-KEY', () => {
    const refused = datadogKeyRefusal(new UnauthenticatedError('the API key was revoked or has expired'));
    expect(refused).toBeInstanceOf(ForbiddenError);
    const e = refused as ForbiddenError;
    expect(e.code).toBe('forbidden');
    expect(e.message).toBe('the API key is not valid');
    expect(e.details).toEqual([{ path: 'DD-API-KEY', problem: 'is not a valid API key' }]);
  });

  it('leaves any other error as it is', () => {
    const invalid = new ValidationError('bad body', [{ path: 'series[0]', problem: 'missing' }]);
    expect(datadogKeyRefusal(invalid)).toBe(invalid);
    const crash = new Error('disk full');
    expect(datadogKeyRefusal(crash)).toBe(crash);
  });
});
