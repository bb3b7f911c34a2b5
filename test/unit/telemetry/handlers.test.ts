import { beforeEach, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../../functions/telemetry/ingest.js';
import { handler as replay } from '../../../functions/telemetry/replay.js';
import { lambdaContext } from '../../../infra/local/lambda-context.js';
import { type Container, setContainer } from '../../../shared/runtime/container.js';
import { sampleEvent } from '../../helpers/events.js';
import { telemetryFixture } from '../../helpers/telemetry-app.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const T = Date.UTC(2026, 10, 25, 12, 0, 0);
let fixture: Awaited<ReturnType<typeof telemetryFixture>>;

beforeEach(async () => {
  fixture = await telemetryFixture('memory', T + 1000);
  setContainer({ telemetry: { ingest: fixture.ingest, queries: fixture.queries } } as unknown as Container);
});

describe('the telemetry Lambda handlers on their sample events', () => {
  it('the ingest handler takes the base64 remote write body API Gateway sends and reports per sample', async () => {
    const res = await ingest(sampleEvent('telemetry/remote-write'), lambdaContext('telemetry-ingest', 'r1'));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ submitted: 4, accepted: 3, unmappedSeries: 1 });
    expect(body.rejected).toEqual([expect.objectContaining({ index: 3, reason: 'unmapped_series' })]);
    expect(await fixture.samples.count('prometheus-main')).toBe(3);
  });

  it('the replay handler stores a queued batch once, even when SQS delivers it twice', async () => {
    const event = sampleEvent('telemetry/replay-sqs');
    expect(await replay(event)).toEqual({ batchItemFailures: [] });
    expect(await replay(event)).toEqual({ batchItemFailures: [] });
    expect(await fixture.samples.count()).toBe(2);
  });

  it('the replay handler leaves a batch it could not store in the queue', async () => {
    fixture.memory!.failing = true;
    const event = sampleEvent('telemetry/replay-sqs');
    expect(await replay(event)).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }],
    });
  });
});
