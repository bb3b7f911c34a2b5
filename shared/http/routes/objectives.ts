import type { RouteSpec } from '../routes.js';

/** Routes of the objectives area; spread into ROUTES. */
export const OBJECTIVES_ROUTES: readonly RouteSpec[] = [];
