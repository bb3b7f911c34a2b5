import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS } from '../../infra/aws/constructs/console.js';
import { synthesized } from './support/templates.js';

type Res = Record<string, { Type: string; Properties: Record<string, any> }>;
let t: Template;

// The app as synthesized once for the infra project with cdk-nag on (test/infra/support/global-setup.ts): the
// eu-west-1 stack of cdk.json's app (Timestream off), without its nested stacks.
beforeAll(async () => {
  t = Template.fromJSON(
    (await synthesized('cdkJson')).stacks.find((s) => s.region === 'eu-west-1')!.template,
  );
});

const only = (type: string) => Object.values(t.findResources(type) as Res).map((r) => r.Properties);

describe('the console on AWS', () => {
  it('serves the console from a private bucket through origin access control, and the API paths from the stage on the same origin', () => {
    const [d] = only('AWS::CloudFront::Distribution');
    const c = d!.DistributionConfig;
    expect(c.Origins).toHaveLength(2);
    const s3 = c.Origins.find((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig);
    expect(s3.OriginAccessControlId).toBeDefined();
    const api = c.Origins.find((o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig);
    expect(api.OriginPath).toBe('/live');
    expect(api.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(c.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual([...API_PATHS]);
    for (const b of c.CacheBehaviors) {
      expect(b.TargetOriginId).toBe(api.Id);
      expect(b.AllowedMethods).toContain('POST');
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    }
    expect(c.DefaultCacheBehavior.TargetOriginId).toBe(s3.Id);
    expect(c.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(c.Logging).toBeDefined();
    for (const b of only('AWS::S3::Bucket'))
      expect(b.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
  });

  it("sends a CSP whose one other origin is Cognito's login domain, and no framing", () => {
    const [p] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const sec = p!.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(sec.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('amazoncognito.com');
    expect(sec.FrameOptions.FrameOption).toBe('DENY');
  });

  it('signs people in through a Cognito domain on the pool the people authorizer verifies, with the app client as audience', () => {
    expect(only('AWS::Cognito::UserPoolDomain')).toHaveLength(1);
    const deploy = only('Custom::CDKBucketDeployment');
    expect(deploy).toHaveLength(1);
    // config.json names the app client: its ID token's audience is what the authorizer's environment names.
    const [clientId] = Object.keys(t.findResources('AWS::Cognito::UserPoolClient'));
    expect(JSON.stringify(deploy[0])).toContain(`"Ref":"${clientId}"`);
  });
});
