// Aliased for 'zod' in Lambda bundles only (infra/aws/bundling.ts): the same `z`, without its locales.
import * as z from './zod-namespace.js';

export * from './zod-namespace.js';
export { z, z as default };
