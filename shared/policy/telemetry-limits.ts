import { TelemetryPolicy } from '../schemas/telemetry.js';
import telemetryJson from './telemetry-mapping.json' with { type: 'json' };

/**
 * The telemetry limits alone, for the route table (body size): a module of its own so that every function that
 * imports the route table does not also bundle the mapping-rule compiler (selectors, the PromQL grammar).
 */
export const TELEMETRY_LIMITS = TelemetryPolicy.shape.limits.parse(telemetryJson.limits);
