import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The embedded server's request bytes, carried beside its API Gateway-shaped event: a binary body (a backfill chunk,
 * remote write) reaches the handler as the bytes received, not as base64 made by the server and decoded by the handler
 * (for a 10 MB backfill chunk that round trip was about a third of the server's CPU). The event's `body` is still
 * there for any other reader: base64, made when first read.
 */
const RAW_BODY = Symbol.for('accord.rawBody');

/** Sets `event.body` (base64, on first read) and `isBase64Encoded` from `bytes`, which the handler takes as they are. */
export function attachRawBody(event: APIGatewayProxyEvent, bytes: Buffer): void {
  let base64: string | undefined;
  Object.defineProperty(event, 'body', {
    enumerable: true,
    configurable: true,
    get: () => {
      base64 ??= bytes.toString('base64');
      return base64;
    },
  });
  event.isBase64Encoded = true;
  Object.defineProperty(event, RAW_BODY, { value: bytes, enumerable: true });
}

/** The bytes `attachRawBody` attached, or undefined (an event from API Gateway, or one made by a test). */
export function rawBodyOf(event: APIGatewayProxyEvent): Buffer | undefined {
  return (event as unknown as Record<symbol, Buffer | undefined>)[RAW_BODY];
}
