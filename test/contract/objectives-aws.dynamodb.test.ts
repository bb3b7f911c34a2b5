import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { handler as evaluate } from '../../functions/objectives/evaluate-scheduled.js';
import { DynamoAgreementStore } from '../../shared/adapters/dynamodb/agreements.js';
import { DynamoRollupStore } from '../../shared/adapters/dynamodb/rollups.js';
import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import { BUCKET_MS } from '../../shared/ports/rollups.js';
import { AWS_ENV } from '../../shared/runtime/config.js';
import { setContainer } from '../../shared/runtime/container.js';
import { awsContainerOnLocal, useDynamoLocal } from '../helpers/dynamodb-local.js';
import { sampleEvent } from '../helpers/events.js';
import { agreementVersion, service } from '../helpers/fixtures.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const local = useDynamoLocal();
const sfn = mockClient(SFNClient);
const PREFIX = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Accord-eu-west-1-';
const NOW = Date.UTC(2026, 11, 15, 12, 0, 0);

describe('the objectives engine on the AWS composition root (DynamoDB Local)', () => {
  it('evaluates an active agreement from DynamoDB rollups, opens one violation and starts its remediation, once', async () => {
    const dl = local();
    sfn.reset();
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:exec:remediation', startDate: new Date(NOW) });
    const { container, tables: t } = await awsContainerOnLocal(dl, NOW, (tables) => ({
      [AWS_ENV.workflowsTable]: tables.Workflows!,
      [AWS_ENV.stateMachineArnPrefix]: PREFIX,
    }));
    expect(container.objectives).toBeDefined();
    setContainer(container);
    await new DynamoServiceStore(dl.doc, t.Data!).create(service());
    const active = agreementVersion({ status: 'active', activatedAt: '2026-12-01T00:00:00.000Z' });
    await new DynamoAgreementStore(dl.doc, t.Data!).create(active);
    // Two weeks of 5-minute buckets at 98% availability: far below the 99.9% target.
    const start = Date.UTC(2026, 11, 1);
    const deltas = [];
    for (let b = start; b < NOW; b += BUCKET_MS) {
      deltas.push({
        sliKey: 'svc_payments-gateway/availability',
        bucketStart: b,
        good: 98,
        total: 100,
        count: 0,
        sum: 0,
        min: 0,
        max: 0,
      });
    }
    const rollups = new DynamoRollupStore(dl.doc, t.Rollups!);
    for (let i = 0; i < deltas.length; i += 500) await rollups.add(deltas.slice(i, i + 500));

    const first = await evaluate(sampleEvent('eventbridge/evaluate-objectives'));
    expect(first).toMatchObject({ agreements: 1, objectives: 1, violationsOpened: 1 });
    const second = await evaluate(sampleEvent('eventbridge/evaluate-objectives'));
    expect(second).toMatchObject({ objectives: 1, violationsOpened: 0 });
    // The hook the embedded default has: the opened violation's remediation started, once, named by the violation.
    const starts = sfn.commandCalls(StartExecutionCommand).map((x) => x.args[0].input);
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ stateMachineArn: `${PREFIX}remediation` });
    const { violationId } = JSON.parse(starts[0]!.input!) as { violationId: string };
    expect(starts[0]!.name).toBe(violationId);
    expect(dl.commands).not.toContain('ScanCommand');
    // Two weeks of buckets are 4,032 transactional writes to DynamoDB Local: over a minute on a loaded 2-core machine.
  }, 240_000);
});
