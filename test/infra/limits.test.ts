import { describe, expect, it } from 'vitest';
import { handlerExists } from '../../infra/aws/constructs/function.js';
import { ROUTES } from '../../shared/http/routes.js';
import { type SynthedApp, synthesized } from './support/templates.js';

/**
 * CloudFormation refuses a stack of more than 500 resources (CDK at synthesis, or the deploy). Accord's ceilings
 * leave room to grow: the main stack at most 400 (room for the next rounds' routes, 100 resources spare), each nested
 * stack at most 450. A route table that passes them fails here, naming the stack and its largest families, instead of
 * at deploy time. To make room, move a whole family into a nested stack (as infra/aws/constructs/api.ts does with the
 * handlers' functions and the API methods' invoke permissions).
 */
const MAIN_CEILING = 400;
const NESTED_CEILING = 450;

type Json = Record<string, any>;
function census(template: Json): { count: number; largest: string } {
  const byType = new Map<string, number>();
  for (const r of Object.values(template.Resources as Record<string, { Type: string }>))
    byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
  const largest = [...byType]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  return { count: Object.keys(template.Resources).length, largest };
}

describe.each(['timestream', 'cdkJson'] as const)('CloudFormation headroom (the app built %s)', (variant) => {
  let app: SynthedApp;
  const load = async () => {
    app ??= await synthesized(variant);
    return app;
  };

  it(`keeps every main stack at ${MAIN_CEILING} resources or fewer`, async () => {
    const { stacks } = await load();
    expect(stacks.length).toBeGreaterThan(0);
    for (const s of stacks) {
      const { count, largest } = census(s.template);
      expect(
        count,
        `${s.name} has ${count} resources (ceiling ${MAIN_CEILING}, CloudFormation's limit 500); largest families: ${largest}`,
      ).toBeLessThanOrEqual(MAIN_CEILING);
    }
  });

  it(`keeps every nested stack at ${NESTED_CEILING} resources or fewer`, async () => {
    const { stacks } = await load();
    const nested = stacks.flatMap((s) => s.nested);
    expect(nested.map((n) => n.path.split('/').at(-1))).toEqual(
      expect.arrayContaining(['Handlers', 'Permissions']),
    );
    for (const n of nested) {
      const { count, largest } = census(n.template);
      expect(
        count,
        `${n.path} has ${count} resources (ceiling ${NESTED_CEILING}, CloudFormation's limit 500); largest families: ${largest}`,
      ).toBeLessThanOrEqual(NESTED_CEILING);
    }
  });

  // Nested stacks talk through parameters and outputs (a function ARN from the handlers' stack reaches the
  // permissions' stack as an output there and a parameter here): CloudFormation allows 200 of each per template.
  it("keeps every template within CloudFormation's 200 parameters and 200 outputs", async () => {
    const { stacks } = await load();
    const templates = stacks.flatMap((s) => [{ path: s.name, template: s.template }, ...s.nested]);
    expect(templates.length).toBeGreaterThan(1);
    for (const { path, template } of templates) {
      for (const section of ['Parameters', 'Outputs']) {
        const n = Object.keys(template[section] ?? {}).length;
        expect(
          n,
          `${path} has ${n} ${section.toLowerCase()} (CloudFormation's limit 200)`,
        ).toBeLessThanOrEqual(200);
      }
    }
  });

  it('lets API Gateway invoke each route function only through its own method and path (one permission a route)', async () => {
    const { stacks } = await load();
    // As API Gateway's method ARN writes them: path parameters as *.
    const expected = ROUTES.filter((r) => handlerExists(r.handler))
      .map((r) => `${r.method} ${r.path.replace(/\{[^}]*\}/g, '*')}`)
      .sort();
    for (const s of stacks) {
      const invokes = Object.values(deploymentResources(s)).filter(
        (r) =>
          r.Type === 'AWS::Lambda::Permission' &&
          r.Properties.Principal === 'apigateway.amazonaws.com' &&
          !JSON.stringify(r.Properties.SourceArn).includes('/authorizers/'),
      );
      const granted = invokes.map((p) => {
        expect(p.Properties.Action).toBe('lambda:InvokeFunction');
        // arn:…:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path>
        const m = /\/([A-Z]+)(\/[^"]*)"\]\]\}$/.exec(JSON.stringify(p.Properties.SourceArn));
        expect(m, JSON.stringify(p.Properties.SourceArn)).not.toBeNull();
        return `${m![1]} ${m![2]}`;
      });
      expect(granted.sort()).toEqual(expected);
    }
  });
});

function deploymentResources(s: SynthedApp['stacks'][number]): Record<string, Json> {
  return Object.assign({}, s.template.Resources, ...s.nested.map((n) => n.template.Resources));
}
