import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PrometheusMetricSource } from '../adapters/prometheus/metric-source.js';
import { UnavailableError } from '../domain/errors.js';
import type {
  DataSourceConfig,
  MetricSource,
  MetricSources,
  QueryRange,
  RangeSeries,
} from '../ports/metric-source.js';

/**
 * The pull data sources on AWS (docs/aws.md, "Pull data sources"): a source configured with `bearerTokenSecretArn`
 * reads its token from Secrets Manager on its first query (then keeps it for the life of the function), so that only
 * the functions that pull (the scheduled pull, the history pull) ever read it (they alone may); every other
 * function that composes telemetry only lists the sources (the one-feed rule of pulled SLIs).
 */
export class SecretTokenMetricSources implements MetricSources {
  private readonly byName = new Map<string, { config: DataSourceConfig; source: MetricSource }>();

  constructor(
    configs: readonly DataSourceConfig[],
    client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
  ) {
    for (const c of configs) {
      const arn = c.bearerTokenSecretArn;
      const source: MetricSource = arn
        ? new SecretTokenSource(c, arn, client)
        : new PrometheusMetricSource(c);
      this.byName.set(c.name, { config: c, source });
    }
  }

  list(): readonly DataSourceConfig[] {
    return [...this.byName.values()].map((x) => x.config);
  }

  get(name: string) {
    return this.byName.get(name);
  }
}

class SecretTokenSource implements MetricSource {
  private inner: Promise<MetricSource> | undefined;
  constructor(
    private readonly config: DataSourceConfig,
    private readonly arn: string,
    private readonly client: Pick<SecretsManagerClient, 'send'>,
  ) {}

  /**
   * @throws UnavailableError (503 kind, recorded per SLI by the pull) when the secret cannot be read or is empty;
   *   a failed read is tried again on the next query
   */
  async queryRange(query: string, range: QueryRange): Promise<RangeSeries[]> {
    this.inner ??= this.load();
    let source: MetricSource;
    try {
      source = await this.inner;
    } catch (e) {
      this.inner = undefined;
      throw e;
    }
    return source.queryRange(query, range);
  }

  private async load(): Promise<MetricSource> {
    let token: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.arn }));
      token = out.SecretString?.trim();
    } catch (e) {
      throw new UnavailableError(
        `data source ${this.config.name}: its token secret cannot be read (${(e as Error).name})`,
      );
    }
    if (!token)
      throw new UnavailableError(`data source ${this.config.name}: its token secret holds no string`);
    return new PrometheusMetricSource({ ...this.config, bearerToken: token });
  }
}
