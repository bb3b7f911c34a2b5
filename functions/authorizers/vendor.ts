import { createHash } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';

/**
 * Maps a vendor's API key (x-api-key) to its identity. API keys identify; this authorizer is what lets the
 * telemetry route be authorised at all. The key is looked up by its SHA-256, never stored in clear.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const key = headers['x-api-key'];
  if (!key) throw new Error('Unauthorized');
  const { vendorKeys } = await getContainer();
  const vendor = await vendorKeys.findByKeyHash(createHash('sha256').update(key).digest('hex'));
  if (!vendor) throw new Error('Unauthorized');
  return {
    principalId: `vendor:${vendor.vendorId}`,
    policyDocument: {
      Version: '2012-10-17',
      // The whole stage, not just this method: API Gateway caches the policy per key, and a policy naming one
      // method would deny the vendor's other routes until the cache expires. Only vendor routes use this authorizer.
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageArn(event.methodArn) }],
    },
    context: { vendorId: vendor.vendorId, tier: vendor.tier },
    usageIdentifierKey: key,
  };
}

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` → `…:apiId/stage/*` */
export function stageArn(methodArn: string): string {
  const [api, stage] = methodArn.split('/') as [string, string?];
  return stage ? `${api}/${stage}/*` : methodArn;
}
