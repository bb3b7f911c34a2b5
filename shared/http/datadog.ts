/**
 * The Datadog Agent's own paths, served so that an Agent pointed at Accord (`dd_url`) works unchanged: it checks its
 * key with `GET /api/v1/validate?api_key=` (200 valid, 403 invalid; anything else it treats as unknown) and posts
 * series to `/api/v2/series` with `DD-API-KEY`. Kept apart from the route table so that the vendor authorizer can
 * know them without loading every schema.
 */
export const DATADOG_SERIES_PATH = '/api/v2/series';
export const DATADOG_VALIDATE_PATH = '/api/v1/validate';
export const DATADOG_PATHS: ReadonlySet<string> = new Set([DATADOG_SERIES_PATH, DATADOG_VALIDATE_PATH]);
