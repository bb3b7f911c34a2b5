import type { Container } from './container.js';

/** The AWS composition root (DynamoDB adapters). Built with the CDK app; see issue 4. */
export async function createAwsContainer(): Promise<Container> {
  throw new Error('the AWS composition root is not built yet: run on the embedded default (npm start)');
}
