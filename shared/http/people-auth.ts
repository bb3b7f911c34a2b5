import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { UnauthenticatedError } from '../domain/errors.js';
import type { TokenVerifier } from '../ports/tokens.js';
import { getTokenVerifier } from '../runtime/tokens.js';
import { authorizerContext, bearerFrom } from './principal.js';

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` → `…:apiId/stage/*` */
export function stageArn(methodArn: string): string {
  const [api, stage] = methodArn.split('/') as [string, string?];
  return stage ? `${api}/${stage}/*` : methodArn;
}

/**
 * People's tokens, on both deployments: takes `Authorization: Bearer <jwt>` or the raw `<jwt>` (one header,
 * any letter case, never two), verifies it with the one verifier (jose: RS256, iss, aud, token_use, exp, nbf,
 * iat, maximum lifetime) and passes the claims on in the context. On AWS the verifier reads Cognito's JWKS;
 * on the embedded default, the local signing key.
 */
export async function authorizePerson(
  event: Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'multiValueHeaders' | 'methodArn'>,
  verifier: TokenVerifier = getTokenVerifier(),
): Promise<APIGatewayAuthorizerResult> {
  const found = bearerFrom(event.headers, event.multiValueHeaders);
  if ('missing' in found) {
    throw new UnauthenticatedError('a bearer token is required', [
      { path: 'Authorization', problem: 'header is missing' },
    ]);
  }
  if ('problem' in found) {
    throw new UnauthenticatedError('the Authorization header is malformed', [
      { path: 'Authorization', problem: `header ${found.problem}` },
    ]);
  }
  const claims = await verifier.verify(found.token);
  return {
    principalId: String(claims.sub),
    policyDocument: {
      Version: '2012-10-17',
      // The whole stage: the decision is cached per token, and the handler checks the role and scope.
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageArn(event.methodArn) }],
    },
    context: authorizerContext(claims),
  };
}
