/** What a handler returns; the factory turns it into an API Gateway proxy result. */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body already serialised (for example a cached document). */
  rawBody?: string;
}

/** The strong ETag of a versioned record. */
export const etagOf = (version: number): string => `"${version}"`;

export const ok = (body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  status: 200,
  body,
  headers,
});

/** A versioned record with its ETag, so the caller can send If-Match on its next write. */
export const versioned = (
  record: { version: number },
  status = 200,
  headers: Record<string, string> = {},
): HttpResult => ({
  status,
  body: record,
  headers: { ETag: etagOf(record.version), ...headers },
});
