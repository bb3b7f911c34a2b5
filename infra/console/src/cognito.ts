import { session } from './api.js';

/** `/console/config.json` on AWS (infra/aws/constructs/console.ts): where the Cognito managed login is. */
export interface CognitoConfig {
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  domain: string;
  clientId: string;
  scopes: string[];
}

const PENDING = 'accord.pkce';

/** The console's Cognito settings, or null where there are none (the embedded default has its dev sign-in). */
export async function cognitoConfig(): Promise<CognitoConfig | null> {
  try {
    const res = await fetch('/console/config.json');
    if (!res.ok) return null;
    const body = (await res.json()) as { cognito?: CognitoConfig };
    return body.cognito ?? null;
  } catch {
    return null;
  }
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const redirectUri = () => `${location.origin}/`;

/**
 * Sends the person to Cognito's managed login: the authorization code grant with PKCE (RFC 7636, S256). The
 * verifier and a state value stay in this tab's sessionStorage until Cognito sends the person back.
 */
export async function startSignIn(cfg: CognitoConfig): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(48)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: cfg.scopes.join(' '),
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  });
  location.assign(`${cfg.domain}/oauth2/authorize?${q}`);
}

/**
 * On the way back from Cognito (`/?code=…&state=…`): checks the state, exchanges the code and the PKCE verifier
 * at the token endpoint for the tokens, keeps the ID token (what the API's people authorizer verifies: audience
 * this client, `token_use: id`) and removes the code from the address bar. Answers an error in words, or null.
 */
export async function completeSignIn(cfg: CognitoConfig): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return null;
  history.replaceState(null, '', `/${location.hash}`);
  if (error) return `Cognito refused the sign-in: ${params.get('error_description') ?? error}.`;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  if (!pending || pending.state !== params.get('state')) {
    return 'The sign-in answer does not match a sign-in started in this tab: sign in again.';
  }
  const res = await fetch(`${cfg.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: cfg.clientId,
      code: code!,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!res.ok) return `Cognito did not issue tokens (HTTP ${res.status}): sign in again.`;
  const tokens = (await res.json()) as { id_token?: string };
  if (!tokens.id_token) return 'Cognito answered without an ID token: sign in again.';
  session.set(tokens.id_token);
  return null;
}

/** Cognito's sign-out, back to the console. */
export function signOutUrl(cfg: CognitoConfig): string {
  return `${cfg.domain}/logout?${new URLSearchParams({ client_id: cfg.clientId, logout_uri: redirectUri() })}`;
}
