import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The onEvent function keeps the token it read for the life of the Lambda instance. A token rotated (the old one
// revoked) must not fail every deployment until a cold start: a 401 re-reads the secret once and retries.
const secrets = mockClient(SecretsManagerClient);
let current = 'tok-old';
const seen: string[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    seen.push(`${req.method} ${req.url} ${auth}`);
    res.setHeader('content-type', 'application/json');
    if (auth !== `Bearer ${current}`) {
      res.statusCode = 401;
      res.end(
        JSON.stringify({
          error: { code: 'unauthenticated', message: 'the bearer token is invalid', details: [] },
        }),
      );
      return;
    }
    // The agreement Delete reads: already gone, so Delete has nothing to do.
    res.statusCode = 404;
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'no agreement', details: [] } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.env.ACCORD_API_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.ACCORD_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:accord-token-AbCdEf';
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const deleteEvent = {
  RequestType: 'Delete' as const,
  PhysicalResourceId: 'agr_01TESTTESTTESTTESTTESTTEST',
  ResourceProperties: { Spec: '{"service":{"id":"svc_a"}}' },
};

describe('the provisioning function after the API token is rotated', () => {
  it('re-reads the secret once on a 401 and succeeds with the new token', async () => {
    const { handler } = await import('../../../functions/provisioning/on-event.js');
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'tok-old' });
    expect((await handler(deleteEvent)).Data.Action).toBe('nothing');
    // Rotation: the secret now holds a new token and the old one is refused.
    current = 'tok-new';
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"token": "tok-new"}' });
    seen.length = 0;
    expect((await handler(deleteEvent)).Data.Action).toBe('nothing');
    expect(seen.map((s) => s.split(' ').at(-1))).toEqual(['tok-old', 'tok-new']);
  });

  it('still fails with the 401 when the secret holds no better token', async () => {
    const { handler } = await import('../../../functions/provisioning/on-event.js');
    current = 'tok-other';
    await expect(handler(deleteEvent)).rejects.toThrow(/answered 401/);
  });
});
