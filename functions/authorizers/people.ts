import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizePerson } from '../../shared/http/people-auth.js';

/**
 * The Lambda REQUEST authorizer of people's routes, on AWS and (through the same function) on the embedded
 * default: see authorizePerson. Any refusal is "Unauthorized", which API Gateway answers with a 401.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  try {
    return await authorizePerson(event);
  } catch {
    throw new Error('Unauthorized');
  }
}
