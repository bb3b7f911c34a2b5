/**
 * The console's one way to the API: same origin, `Authorization: Bearer <ID token>`, JSON. Errors arrive in the
 * API's shape `{"error": {code, message, details: [{path, problem}]}, requestId}` and become an ApiError whose
 * `words()` a person can read, and whose `details` the forms place beside their fields.
 */

const TOKEN_KEY = 'accord.token';

/**
 * How long the console waits for an answer (headers and body) before it says so, in ms. API Gateway ends a REST
 * integration at 29 s (its 504 then arrives first); on the embedded default nothing else would end a request that
 * never answers, and the page would show "Loading…" for good.
 */
export const API_TIMEOUT_MS = 30_000;

export interface Problem {
  path: string;
  problem: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Problem[],
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** The error in words, as shown on the page. */
  words(): string {
    const what =
      this.status === 0
        ? 'No answer from Accord.'
        : this.status === 401
          ? 'Your sign-in has expired or is not valid: sign in again.'
          : this.status === 403
            ? 'Your role does not allow this.'
            : this.status === 404
              ? 'Not found, or not visible to you.'
              : this.status === 409
                ? 'Someone changed this meanwhile, or its state does not allow it.'
                : this.status >= 500
                  ? 'Accord could not answer just now; try again in a moment.'
                  : 'The request was refused.';
    const details = this.details.map((d) => `${d.path}: ${d.problem}`).join('; ');
    return `${what} ${this.message}${details ? ` (${details})` : ''}`;
  }
}

export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
  /** The signed-in person's claims, read from the ID token for display only (the API decides access). */
  claims(): Claims | null {
    const t = session.token();
    if (!t) return null;
    try {
      const part = t.split('.')[1] ?? '';
      const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
      const c = JSON.parse(json) as Record<string, unknown>;
      const list = (v: unknown) => (typeof v === 'string' && v ? v.split(',') : []);
      return {
        subject: String(c.sub ?? ''),
        email: String(c.email ?? ''),
        roles: list(c['cognito:groups']),
        businessUnits: list(c['custom:business_units']),
        services: list(c['custom:services']),
        signoff: list(c['custom:signoff']),
        expiresAt: typeof c.exp === 'number' ? c.exp * 1000 : 0,
      };
    } catch {
      return null;
    }
  },
};

export interface Claims {
  subject: string;
  email: string;
  roles: string[];
  businessUnits: string[];
  services: string[];
  signoff: string[];
  expiresAt: number;
}

/** Calls the API; answers the parsed JSON body, or throws ApiError. */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; ifMatch?: number } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  if (init.ifMatch !== undefined) headers['If-Match'] = `"${init.ifMatch}"`;
  // A timer, not AbortSignal.timeout: the page's own clock (which a test can drive) decides when to give up.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), API_TIMEOUT_MS);
  let res: Response;
  let text: string;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      signal: abort.signal,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    text = await res.text();
  } catch {
    throw abort.signal.aborted
      ? new ApiError(0, 'timeout', `Accord did not answer within ${API_TIMEOUT_MS / 1000} s; try again.`, [])
      : new ApiError(0, 'network', 'Accord cannot be reached: is the server running?', []);
  } finally {
    clearTimeout(timer);
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const e = (
      body as { error?: { code?: string; message?: string; details?: Problem[] }; requestId?: string }
    )?.error;
    throw new ApiError(
      res.status,
      e?.code ?? 'error',
      e?.message ?? `HTTP ${res.status}`,
      Array.isArray(e?.details) ? e.details : [],
      (body as { requestId?: string })?.requestId,
    );
  }
  return body as T;
}
