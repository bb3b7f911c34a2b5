import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type ProvisioningEvent,
  type ProvisioningResult,
  reconcileWithToken,
} from '../../shared/provisioning/reconcile.js';

/**
 * onEvent of the AccordRegistration custom resource (CDK Provider framework; infra/aws/constructs/registration.ts).
 * Reads the API token from the secret named by ACCORD_SECRET_ARN (a plain string, or JSON with a `token` field),
 * then converges Accord through its public API. A thrown error becomes FAILED with its message.
 */
const secrets = new SecretsManagerClient({});
let token: string | undefined;

async function readToken(): Promise<string> {
  if (token) return token;
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.ACCORD_SECRET_ARN }));
  const raw = out.SecretString ?? '';
  token = raw.trim().startsWith('{') ? String(JSON.parse(raw).token ?? '') : raw.trim();
  if (!token) throw new Error('the Accord API secret holds no token (a string, or JSON {"token": "…"})');
  return token;
}

export async function handler(event: ProvisioningEvent): Promise<ProvisioningResult> {
  const baseUrl = process.env.ACCORD_API_URL ?? '';
  return reconcileWithToken(event, baseUrl, (fresh) => {
    if (fresh) token = undefined; // rotated: read the secret again
    return readToken();
  });
}
