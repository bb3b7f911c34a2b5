import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';

/** The app configurations the infra project synthesizes once (test/infra/support/synth-templates.ts). */
export type SynthVariant = 'timestream' | 'cdkJson';

type Json = Record<string, any>;
/** One synthesized app: its stacks' templates (with their nested stacks') and its cdk-nag acknowledgements. */
export interface SynthedApp {
  stacks: { name: string; region: string; template: Json; nested: { path: string; template: Json }[] }[];
  acknowledgements: { path: string; id: string; reason: string }[];
}

async function waitFor(dir: string): Promise<void> {
  for (;;) {
    if (existsSync(join(dir, 'done'))) return;
    for (const f of ['error.txt', 'exit.txt'])
      if (existsSync(join(dir, f)))
        throw new Error(`the CDK app did not synthesize: ${readFileSync(join(dir, f), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The app as synthesized once for the infra project (with cdk-nag on: a finding fails every caller). Waits for the
 * synthesis the project's global setup started; throws its error when it failed.
 */
export async function synthesized(variant: SynthVariant): Promise<SynthedApp> {
  const dir = inject('infraSynthDir');
  await waitFor(dir);
  return JSON.parse(readFileSync(join(dir, `${variant}.json`), 'utf8')) as SynthedApp;
}

/**
 * One region's deployment as one template: the stack's resources and every nested stack's (the route handlers'
 * functions, roles, policies and log groups…), so that an assertion sees every function wherever it is deployed.
 */
export function deploymentTemplate(stack: SynthedApp['stacks'][number]): Template {
  const nested = stack.nested.map((n) => n.template.Resources as Json);
  return Template.fromJSON({
    ...stack.template,
    Resources: Object.assign({}, stack.template.Resources, ...nested),
  });
}
