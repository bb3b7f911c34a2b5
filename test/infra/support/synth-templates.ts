/**
 * Synthesizes the CDK app once for the whole infra project (run as a child process by test/infra/support/global-setup.ts)
 * and writes what the infra tests read to `<dir>/<variant>.json` (see `SynthVariant`), then `<dir>/done`. A failed
 * synthesis (an unacknowledged cdk-nag finding included) is written to `<dir>/error.txt` instead, so every test that
 * reads the templates fails with its message.
 *
 * Usage: node --import tsx test/infra/support/synth-templates.ts <dir>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestedStack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/aws/build.js';
import { DATA_SOURCES, INBOUND_WEBHOOK_TOOLS } from './context.js';
import type { SynthedApp, SynthVariant } from './templates.js';

// Template assertions do not need the function code: bundling is skipped (test/infra/synth.test.ts bundles).
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };

const VARIANTS: Record<SynthVariant, () => ReturnType<typeof buildApp>> = {
  // One region with the Timestream switch on: the superset of resources.
  timestream: () =>
    buildApp({
      context: {
        regions: ['eu-west-1'],
        timestream: true,
        dataSources: DATA_SOURCES,
        inboundWebhookTools: INBOUND_WEBHOOK_TOOLS,
      },
      appProps: { context: NO_BUNDLING },
    }),
  // cdk.json as it is: every residency region, Timestream off.
  cdkJson: () => buildApp({ appProps: { context: { ...NO_BUNDLING, ...cdkJson.context } } }),
};

function synth(variant: SynthVariant): SynthedApp {
  const { app, stacks } = VARIANTS[variant]();
  app.synth(); // throws on any unacknowledged cdk-nag finding
  return {
    stacks: stacks.map((s) => ({
      name: s.stackName,
      region: s.region,
      template: Template.fromStack(s).toJSON(),
      nested: s.node
        .findAll()
        .filter((c): c is NestedStack => c instanceof NestedStack)
        .map((n) => ({ path: n.node.path, template: Template.fromStack(n).toJSON() })),
    })),
    // Each acknowledgement is recorded on its construct as { '<rule id>': '<reason>' }.
    acknowledgements: app.node.findAll().flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>))
        .map(([id, reason]) => ({ path: c.node.path, id, reason })),
    ),
  };
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: synth-templates.ts <dir>');
try {
  for (const variant of Object.keys(VARIANTS) as SynthVariant[])
    writeFileSync(join(dir, `${variant}.json`), JSON.stringify(synth(variant)));
  writeFileSync(join(dir, 'done'), '');
} catch (e) {
  writeFileSync(join(dir, 'error.txt'), e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
}
