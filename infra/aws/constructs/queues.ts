import { Validations } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** A queue that is itself the last stop for failed messages: it has no dead-letter queue of its own. */
export function acknowledgeDlq(queue: sqs.Queue, why: string): void {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `No dead-letter queue of its own: ${why}.`,
  });
  Validations.of(queue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: `No redrive policy: ${why}.`,
  });
}
