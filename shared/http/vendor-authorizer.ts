import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { presentedApiKey, refusalStatus } from '../domain/vendors/credentials.js';
import type { AuthenticatedVendor } from '../usecases/vendors.js';
import { DATADOG_PATHS, DATADOG_VALIDATE_PATH } from './datadog.js';

/**
 * The vendor REQUEST authorizer's decision: reads the API key however the client sent it (Authorization Bearer
 * or Basic, DD-API-KEY, x-api-key; `?api_key=` on Datadog's validate path), asks `authenticate` which vendor it
 * is, and returns the vendor's usage-plan key as `usageIdentifierKey`, so the usage plan throttles the vendor
 * whichever key or header it used. Refusals: throw "Unauthorized" (API Gateway answers 401), or deny (403) where a
 * Datadog client presented its key the Datadog way and reads 403 as "invalid key" (see `refusalStatus`).
 */
export async function authorizeVendor(
  event: APIGatewayRequestAuthorizerEvent,
  authenticate: (apiKey: string) => Promise<AuthenticatedVendor | undefined>,
): Promise<APIGatewayAuthorizerResult> {
  const path = event.resource ?? event.path ?? '';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const presented = presentedApiKey(
    headers,
    event.queryStringParameters ?? {},
    path === DATADOG_VALIDATE_PATH,
  );
  if (presented.kind === 'none') throw new Error('Unauthorized');
  const vendor = presented.kind === 'key' ? await authenticate(presented.key) : undefined;
  if (!vendor) {
    if (refusalStatus(DATADOG_PATHS.has(path), presented.sources) === 401) throw new Error('Unauthorized');
    return { principalId: 'unknown-vendor-key', policyDocument: policy('Deny', event.methodArn) };
  }
  return {
    principalId: `vendor:${vendor.vendorId}`,
    // The whole stage, not this method: a policy naming one method would deny the vendor's other routes.
    policyDocument: policy('Allow', stageArn(event.methodArn)),
    context: { vendorId: vendor.vendorId, tier: vendor.tier, keyId: vendor.keyId },
    ...(vendor.usageKey !== undefined ? { usageIdentifierKey: vendor.usageKey } : {}),
  };
}

function policy(effect: 'Allow' | 'Deny', resource: string): APIGatewayAuthorizerResult['policyDocument'] {
  return {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  };
}

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` → `…:apiId/stage/*` */
export function stageArn(methodArn: string): string {
  const [api, stage] = methodArn.split('/') as [string, string?];
  return stage ? `${api}/${stage}/*` : methodArn;
}
