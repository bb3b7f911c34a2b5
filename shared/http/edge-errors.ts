/**
 * Errors answered at the edge, before any handler runs: by API Gateway on AWS (its gateway responses) and by
 * the local server on the embedded default. Both deployments render them from this table, so a client meets
 * one contract, the API error shape of shared/http/errors.ts:
 * `{"error": {"code", "message", "details": [{"path", "problem"}]}, "requestId"}`.
 *
 * API Gateway renders a gateway response by plain substitution of `$context` variables, with no escaping
 * (its templates are not VTL, so `$util.escapeJavaScript` is not there). Variables whose text a client can
 * influence (`$context.error.validationErrorString` quotes the offending input; `messageString` is only
 * documented as quoted, not as escaped) could therefore break the JSON, and none of them is used: each
 * template is fixed text plus the variables in SAFE_CONTEXT_VARIABLES, whose values are API Gateway's own
 * identifiers. The validator's detail stays in the access log, found by the request id.
 */

/** `$context` variables a template may use: their values never hold a quote, a backslash or a control character. */
export const SAFE_CONTEXT_VARIABLES = ['$context.requestId', '$context.error.responseType'] as const;

export interface EdgeError {
  /** HTTP status; absent for the DEFAULT_* catch-alls, which keep the status API Gateway chose. */
  status?: number;
  code: string;
  message: string;
  details: { path: string; problem: string }[];
  /** Static response headers. */
  headers?: Record<string, string>;
}

/** An unknown path, or a method the path does not have: the same 404 on both deployments. */
export const NO_SUCH_ROUTE: EdgeError = {
  status: 404,
  code: 'no_such_route',
  message: 'no route matches this method and path',
  details: [{ path: '(route)', problem: 'matches no method and path of this API (see /openapi.json)' }],
};

/**
 * Retry-After on the gateway's THROTTLED answer: API Gateway's header values are static, and every tier refills
 * at least one request per second (shared/policy/vendor-tiers.json, checked at synth), so one second is the
 * exact wait for one token. The local limiter computes the same from the bucket.
 */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;
/**
 * Retry-After on the gateway's QUOTA_EXCEEDED answer. The quota resets at 00:00 UTC, but a static header
 * cannot say how far away that is: a client told to come back within the hour retries at most 24 times a day.
 * The local limiter says the exact seconds to the reset.
 */
export const QUOTA_RETRY_AFTER_SECONDS = 3600;

const unauthenticated = (problem: string): EdgeError => ({
  status: 401,
  code: 'unauthenticated',
  message: 'valid credentials are required',
  details: [{ path: 'Authorization', problem }],
  headers: { 'WWW-Authenticate': 'Bearer' },
});

/** A usage plan's 429 (its rate or its quota): the request as a whole, retried after `retryAfterSeconds`. */
const usagePlanRefusal = (
  code: string,
  message: string,
  problem: string,
  retryAfterSeconds: number,
): EdgeError => ({
  status: 429,
  code,
  message,
  details: [{ path: '(request)', problem }],
  headers: { 'Retry-After': String(retryAfterSeconds) },
});

/**
 * Every gateway response type of a REST API (API Gateway's list) with the answer Accord gives for it. The
 * statuses and codes are those the local server gives in the same situation (the fidelity test checks it).
 */
export const GATEWAY_RESPONSES: Record<string, EdgeError> = {
  BAD_REQUEST_BODY: {
    status: 400,
    code: 'validation_failed',
    message: 'the body does not match the schema',
    details: [
      {
        path: '(body)',
        problem:
          'does not match the request schema of this route (see /openapi.json); the detail of the validator is in the API access log under this requestId',
      },
    ],
  },
  BAD_REQUEST_PARAMETERS: {
    status: 400,
    code: 'validation_failed',
    message: 'a required request parameter is missing',
    details: [{ path: '(parameters)', problem: 'a required query parameter or header is missing or empty' }],
  },
  UNAUTHORIZED: unauthenticated('is missing or not a valid token or API key'),
  EXPIRED_TOKEN: unauthenticated('the token has expired'),
  INVALID_API_KEY: unauthenticated('the API key is not enabled for a usage plan'),
  INVALID_SIGNATURE: unauthenticated('the request signature is invalid'),
  ACCESS_DENIED: {
    status: 403,
    code: 'forbidden',
    message: 'the authorizer denied this request',
    details: [{ path: 'Authorization', problem: 'does not grant this route' }],
  },
  WAF_FILTERED: {
    status: 403,
    code: 'request_blocked',
    message: 'the web application firewall blocked this request',
    details: [
      {
        path: '(request)',
        problem:
          'matched a firewall rule (per-IP rate, missing User-Agent, or content that looks like an attack): see Limits you can meet on AWS in the README',
      },
    ],
  },
  MISSING_AUTHENTICATION_TOKEN: NO_SUCH_ROUTE,
  RESOURCE_NOT_FOUND: NO_SUCH_ROUTE,
  REQUEST_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: 'the request is larger than API Gateway accepts (10 MB)',
    details: [{ path: '(body)', problem: 'exceeds 10485760 bytes' }],
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'the content type is not accepted here',
    details: [{ path: 'Content-Type', problem: 'is not a media type this route takes' }],
  },
  THROTTLED: usagePlanRefusal(
    'rate_limited',
    'too many requests: the rate limit is exceeded',
    'slow down and retry after the Retry-After seconds',
    THROTTLED_RETRY_AFTER_SECONDS,
  ),
  QUOTA_EXCEEDED: usagePlanRefusal(
    'quota_exceeded',
    'the quota of the usage plan is used up until it resets at 00:00 UTC',
    'the quota of your usage-plan tier is used up',
    QUOTA_RETRY_AFTER_SECONDS,
  ),
  AUTHORIZER_FAILURE: {
    status: 503,
    code: 'unavailable',
    message: 'the authorizer could not decide; retry',
    details: [],
  },
  AUTHORIZER_CONFIGURATION_ERROR: {
    status: 500,
    code: 'internal',
    message: 'internal error; quote the request id',
    details: [],
  },
  API_CONFIGURATION_ERROR: {
    status: 500,
    code: 'internal',
    message: 'internal error; quote the request id',
    details: [],
  },
  INTEGRATION_FAILURE: {
    status: 502,
    code: 'internal',
    message: 'internal error; quote the request id',
    details: [],
  },
  INTEGRATION_TIMEOUT: {
    status: 504,
    code: 'timeout',
    message: 'the request took longer than the API allows (29 s)',
    details: [],
  },
  DEFAULT_4XX: {
    code: 'request_rejected',
    message: 'the gateway refused the request',
    details: [{ path: '(request)', problem: 'refused by API Gateway: $context.error.responseType' }],
  },
  DEFAULT_5XX: {
    code: 'internal',
    message: 'internal error; quote the request id',
    details: [{ path: '(gateway)', problem: 'API Gateway: $context.error.responseType' }],
  },
};

/**
 * The `application/json` template of a gateway response: fixed text and safe variables only. The text holds no
 * single quote, backslash, `#` or other `$` either: API Gateway's template syntax is not specified beyond
 * `$context` substitution, so nothing else that a template language might read is left to chance.
 */
export function gatewayTemplate(e: EdgeError): string {
  return JSON.stringify({
    error: { code: e.code, message: e.message, details: e.details },
    requestId: '$context.requestId',
  });
}

/** The same error as the local server sends it (no API Gateway variables to fill but the request id). */
export function edgeBody(e: EdgeError, requestId: string): string {
  return JSON.stringify({ error: { code: e.code, message: e.message, details: e.details }, requestId });
}
