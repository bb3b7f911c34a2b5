import type { RouteSpec } from '../routes.js';

/** Routes of the telemetry area; spread into ROUTES. */
export const TELEMETRY_ROUTES: readonly RouteSpec[] = [];
