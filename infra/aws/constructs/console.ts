import { Aws, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { API_STAGE } from '../../../shared/runtime/config.js';
import { buildConsoleSync } from '../../console/build.js';

/** Paths CloudFront sends to the API origin; everything else is the console's static files. */
export const API_PATHS = ['/v1/*', '/health', '/openapi.json'] as const;

/** The OAuth scopes the console asks Cognito for: `openid` makes the ID token the API verifies. */
export const CONSOLE_SCOPES = ['openid', 'email', 'profile'] as const;

export interface ConsoleSiteProps {
  api: apigw.RestApi;
  userPool: cognito.UserPool;
  client: cognito.UserPoolClient;
}

/**
 * The console on AWS (docs/console.md): its built files in a private S3 bucket behind a CloudFront distribution
 * (origin access control), whose second origin is the API's stage for `/v1/*`, `/health` and `/openapi.json`, so
 * page and API share one origin and CORS stays off. People sign in through the Cognito managed login (hosted UI)
 * with the authorization code grant and PKCE; the app client's ID token is what the people authorizer verifies
 * (same pool, same audience). `/console/config.json` tells the page where Cognito is.
 *
 * The API origin is addressed by the RestApi's id and the stage's literal name (not `api.url`, which names the
 * stage resource): the app client's callback URL names the distribution, and the API's authorizer names the
 * client, so referring to the stage would be a dependency cycle.
 */
export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly logs: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly domain: cognito.UserPoolDomain;
  /** `https://<distribution domain>` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.logs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs (legacy) are delivered through an ACL: object writer ownership is required.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(400) }],
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This is the console's log bucket (CloudFront and the site bucket log into it): logging its own access would log into itself; it is versioned, TLS-only and private.",
    });
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    const region = Stack.of(this).region;
    this.domain = props.userPool.addDomain('Login', {
      cognitoDomain: { domainPrefix: `accord-${Aws.ACCOUNT_ID}-${region}` },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const cognitoHost = `${this.domain.domainName}.auth.${region}.amazoncognito.com`;

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment:
        'Accord console: CSP (the token endpoint of Cognito is the one other origin), HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' https://${cognitoHost}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const apiOrigin = new origins.HttpOrigin(
      `${props.api.restApiId}.execute-api.${region}.${Aws.URL_SUFFIX}`,
      {
        originPath: `/${API_STAGE}`,
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Every answer is per caller: nothing is cached; every header but Host (the API's own) reaches the API.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Accord console and API on one origin',
      defaultRootObject: 'index.html',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: Object.fromEntries(API_PATHS.map((p) => [p, apiBehavior])),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    // The page, its script and styles (built at synth by esbuild), and where Cognito is.
    const files = buildConsoleSync();
    // The copy runs as CDK's BucketDeployment function, under a role of exactly what it does: read the staged
    // asset, write the site bucket, invalidate this distribution, write its own log group. The role is
    // passed without policy updates, so CDK's broader default grants (s3:GetObject*, s3:List*, … and
    // cloudfront:* on "*") are never added.
    const deployLogs = new logs.LogGroup(this, 'DeployLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Accord console: copies the built console into its bucket and invalidates the distribution',
    });
    const assets = Fn.sub(
      DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace(
        // The synthesizer's own placeholder (a literal, not a template string).
        ['$', '{Qualifier}'].join(''),
        DefaultStackSynthesizer.DEFAULT_QUALIFIER,
      ),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::${assets}/*`],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        resources: [
          `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${this.distribution.distributionId}`,
        ],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [deployLogs.logGroupArn],
      }),
    );
    for (const id of [
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      'AwsSolutions-IAM5[Resource::<ConsoleSite26539DB4.Arn>/*]',
    ])
      Validations.of(role).acknowledge({
        id,
        reason:
          'Object-level resources only: the copy reads the objects of the staged asset (CDK bootstrap bucket), writes the objects of the console bucket, and writes streams of its own log group; every action is named, none is a wildcard.',
      });
    new s3deploy.BucketDeployment(this, 'Deploy', {
      role: role.withoutPolicyUpdates(),
      logGroup: deployLogs,
      destinationBucket: this.bucket,
      sources: [
        ...files.map((f) =>
          s3deploy.Source.data(f.path === '/' ? 'index.html' : f.path.slice(1), f.body.toString('utf8')),
        ),
        s3deploy.Source.jsonData('console/config.json', {
          cognito: {
            domain: `https://${cognitoHost}`,
            clientId: props.client.userPoolClientId,
            scopes: CONSOLE_SCOPES,
          },
        }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html', '/console/*'],
      // No pruning: the files keep their names, and no function of the stack may delete S3 objects.
      prune: false,
      memoryLimit: 512,
    });

    // CDK's BucketDeployment function (a singleton at the stack's top level).
    for (const fn of Stack.of(this).node.children.filter((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    )) {
      for (const [id, reason] of Object.entries(DEPLOY_FUNCTION_REASONS))
        Validations.of(fn).acknowledge({ id, reason });
    }
    for (const id of ['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4'] as const) {
      Validations.of(this.distribution).acknowledge({ id, reason: CLOUDFRONT_REASONS[id] });
    }
  }
}

const CLOUDFRONT_REASONS = {
  'AwsSolutions-CFR1':
    'No geo restriction: the people who sign in work in any country; who may read what is decided by Cognito and the role matrix, not by where a request comes from.',
  'AwsSolutions-CFR2':
    "No CloudFront web ACL: the static files are public code with no data, and every /v1/* request passes the API stage's own regional WAF web ACL (constructs/api.ts) after CloudFront; a CLOUDFRONT-scope ACL would have to live in us-east-1, outside the residency region's stack.",
  'AwsSolutions-CFR4':
    "The distribution's viewer policy is TLSv1.2_2021, but on the default *.cloudfront.net certificate CloudFront reports the SSLv3/TLSv1 policy to CloudFormation; a custom domain with an ACM certificate (an operator's choice, docs/console.md) makes the stated policy effective.",
} as const;

const DEPLOY_FUNCTION_REASONS = {
  'AwsSolutions-L1':
    "CDK's BucketDeployment function: its runtime is chosen by aws-cdk-lib with the AWS CLI layer it bundles, and moves when aws-cdk-lib is upgraded; it runs only during a deployment.",
  'Serverless-LambdaLatestVersion':
    "CDK's BucketDeployment function: its runtime is chosen by aws-cdk-lib with the AWS CLI layer it bundles, and moves when aws-cdk-lib is upgraded; it runs only during a deployment.",
  'Serverless-LambdaDLQ':
    'Invoked synchronously by CloudFormation as a custom resource: a failure fails the deployment (and rolls it back), so there is no event to keep for later.',
  'Serverless-LambdaTracing':
    'A deployment-time copy of three static files invoked by CloudFormation; its log group records each run, and a trace would add nothing an operator uses.',
} as const;
