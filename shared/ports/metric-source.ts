/**
 * Pull data sources (issue 14 item 3, docs/backfill.md "Prometheus as a data source"): a time-series database Accord
 * queries for an SLI's series instead of waiting for them to be pushed.
 */

/** One series of a range query: its labels and its points, `[epoch ms, value]`, in time order. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

/** A range in epoch milliseconds, both ends included, read every `stepS` seconds. */
export interface QueryRange {
  startMs: number;
  endMs: number;
  stepS: number;
}

/**
 * A metric source answering range queries in its own query language (PromQL for Prometheus).
 * Errors: `ValidationError` when the source refuses the query (bad PromQL), `UnavailableError` when it cannot be
 * reached or fails.
 */
export interface MetricSource {
  queryRange(query: string, range: QueryRange): Promise<RangeSeries[]>;
}

/** A configured data source: its name (the OpenSLO DataSource's `metadata.name`) and how it is read. */
export interface DataSourceConfig {
  name: string;
  type: 'Prometheus';
  /** The HTTP API's base URL, e.g. `http://prometheus:9090`. */
  url: string;
  /** A bearer token sent as `Authorization: Bearer …`, when the API needs one. */
  bearerToken?: string | undefined;
  /** On AWS: the Secrets Manager secret holding the bearer token (resolved into `bearerToken` at cold start). */
  bearerTokenSecretArn?: string | undefined;
  /** Seconds between the points a pull reads (query_range `step`); default 60. */
  stepSeconds: number;
  /** How far back each scheduled pull reads (minutes); pulls overlap, re-read points are duplicates. Default 15. */
  lookbackMinutes: number;
}

/** The configured data sources by name. */
export interface MetricSources {
  list(): readonly DataSourceConfig[];
  /** The source named `name`; undefined when none is configured. */
  get(name: string): { config: DataSourceConfig; source: MetricSource } | undefined;
}
