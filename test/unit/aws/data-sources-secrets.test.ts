import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../shared/domain/errors.js';
import { SecretTokenMetricSources } from '../../../shared/runtime/data-sources-aws.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:accord/prometheus-AbCdEf';
const range = { startMs: 0, endMs: 60_000, stepS: 60 };

describe('pull data sources with their token in Secrets Manager', () => {
  it('reads the secret on the first query only, and sends it as the bearer token', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 's3cr3t\n' });
    const sources = new SecretTokenMetricSources(
      [
        {
          name: 'prom',
          type: 'Prometheus',
          url,
          bearerTokenSecretArn: ARN,
          stepSeconds: 60,
          lookbackMinutes: 15,
        },
      ],
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(sources.list()[0]).not.toHaveProperty('bearerToken');
    const source = sources.get('prom')!.source;
    await source.queryRange('up', range);
    await source.queryRange('up', range);
    server.close();
    expect(seen).toEqual(['Bearer s3cr3t', 'Bearer s3cr3t']);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    sm.restore();
  });

  it('answers an unreadable or empty secret as unavailable (503 kind) naming the source, and tries again next time', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolvesOnce({ SecretString: '  ' });
    const sources = new SecretTokenMetricSources(
      [
        {
          name: 'prom',
          type: 'Prometheus',
          url: 'https://prom.example.com',
          bearerTokenSecretArn: ARN,
          stepSeconds: 60,
          lookbackMinutes: 15,
        },
      ],
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    const source = sources.get('prom')!.source;
    const first = source.queryRange('up', range);
    await expect(first).rejects.toBeInstanceOf(UnavailableError);
    await expect(first).rejects.toThrow(
      'data source prom: its token secret cannot be read (AccessDeniedException)',
    );
    await expect(source.queryRange('up', range)).rejects.toThrow(
      'data source prom: its token secret holds no string',
    );
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    sm.restore();
  });
});
