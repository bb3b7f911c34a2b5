import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizeVendor } from '../../shared/http/vendor-authorizer.js';
import { getContainer } from '../../shared/runtime/container.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';

/**
 * The vendor REQUEST authorizer (API Gateway on AWS, the local server on the embedded default): a vendor's API
 * key, however its client sends it, to the vendor's identity and usage-plan key (shared/http/vendor-authorizer.ts).
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const vendors = vendorsIn(await getContainer());
  return authorizeVendor(event, (key) => vendors.authenticate(key));
}
