/** What a handler returns; the factory turns it into an API Gateway proxy result. */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body already serialised (for example a cached document); base64 when isBase64Encoded. */
  rawBody?: string;
  /** rawBody is base64 of binary content (a PDF, an archived object): the gateway sends the bytes. */
  isBase64Encoded?: boolean;
}

/** A file as the response: its bytes, its type and a download name (reports, archived objects). */
export const file = (body: Uint8Array | string, contentType: string, fileName: string): HttpResult => ({
  status: 200,
  rawBody: typeof body === 'string' ? body : Buffer.from(body).toString('base64'),
  isBase64Encoded: typeof body !== 'string',
  headers: {
    'Content-Type': contentType,
    'Content-Disposition': `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`,
  },
});

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
