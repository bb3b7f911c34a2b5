import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per process, structured JSON; each request sets its correlation id. */
export const logger = new Logger({ serviceName: 'accord' });
