import type { TestProject } from 'vitest/node';
import { type DynamoLocal, startDynamoLocal } from './dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The endpoint of the DynamoDB Local process the contract project shares (see useDynamoLocal). */
    dynamoLocalEndpoint: string;
  }
}

let local: DynamoLocal | undefined;

/** One DynamoDB Local (one JVM) for every contract test file; each file creates its own uniquely named tables. */
export async function setup(project: TestProject): Promise<void> {
  local = await startDynamoLocal();
  project.provide('dynamoLocalEndpoint', local.endpoint);
}

export async function teardown(): Promise<void> {
  await local?.stop();
}
