import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
  DynamoDBStreamEvent,
  EventBridgeEvent,
  SQSEvent,
} from 'aws-lambda';

/** Sample events under events/, by name, with the type of the function input each one is. */
export interface SampleEvents {
  'dynamodb-stream/agreement-changes': DynamoDBStreamEvent;
  'authorizer/vendor-request': APIGatewayRequestAuthorizerEvent;
  'telemetry/remote-write': APIGatewayProxyEvent;
  'telemetry/replay-sqs': SQSEvent;
  'api/agreements-create': APIGatewayProxyEvent;
  'eventbridge/agreement-lifecycle': EventBridgeEvent<'Scheduled Event', Record<string, never>>;
  'eventbridge/evaluate-objectives': EventBridgeEvent<'Scheduled Event', Record<string, never>>;
  'eventbridge/workflow-starts': EventBridgeEvent<'Scheduled Event', Record<string, never>>;
}

const ROOT = join(import.meta.dirname, '..', '..', 'events');

/** A fresh copy of a sample event (tests may change it freely). */
export function sampleEvent<K extends keyof SampleEvents>(name: K): SampleEvents[K] {
  return JSON.parse(readFileSync(join(ROOT, `${name}.json`), 'utf8')) as SampleEvents[K];
}
