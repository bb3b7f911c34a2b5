import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLES } from '../../../shared/domain/access/policy.js';

/** Cognito groups: every role a person can hold. `vendor` is a machine identity and comes from API keys. */
export const PERSON_ROLES = ROLES.filter((r) => r !== 'vendor');

/**
 * People: a Cognito user pool whose groups are the roles of shared/domain/access/policy.ts, and whose custom
 * attributes carry the scope claims (business units, services, sign-off capacities). Administrators create
 * users (no self sign-up); MFA is required.
 */
export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: {
        business_units: new cognito.StringAttribute({ mutable: true, maxLen: 2048 }),
        services: new cognito.StringAttribute({ mutable: true, maxLen: 2048 }),
        signoff: new cognito.StringAttribute({ mutable: true, maxLen: 512 }),
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of PERSON_ROLES) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: `Accord role ${role} (shared/domain/access/policy.ts)`,
      });
    }
    // Scope claims are set by administrators only: the app client may read them but not write them.
    const readable = new cognito.ClientAttributes()
      .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
      .withCustomAttributes('business_units', 'services', 'signoff');
    this.client = this.userPool.addClient('App', {
      generateSecret: false,
      authFlows: { userSrp: true },
      // CDK's default would enable the code and implicit grants with a https://example.com callback: off here;
      // allowConsole() enables the code grant (PKCE) for the console's URL alone once the distribution exists.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: readable,
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });
  }

  /**
   * Lets the console sign people in through the managed login (hosted UI) of this client: the authorization code
   * grant only (no implicit grant), Cognito users only, `consoleUrl` (the CloudFront distribution) as the one
   * callback and sign-out URL. A public client (no secret) exchanges the code with its PKCE verifier, and the ID
   * token it gets has this client as audience: the one the people authorizer verifies.
   */
  allowConsole(consoleUrl: string, scopes: readonly string[]): void {
    const cfn = this.client.node.defaultChild as cognito.CfnUserPoolClient;
    cfn.addPropertyOverride('AllowedOAuthFlowsUserPoolClient', true);
    cfn.addPropertyOverride('AllowedOAuthFlows', ['code']);
    cfn.addPropertyOverride('AllowedOAuthScopes', [...scopes]);
    cfn.addPropertyOverride('CallbackURLs', [`${consoleUrl}/`]);
    cfn.addPropertyOverride('LogoutURLs', [`${consoleUrl}/`]);
    cfn.addPropertyOverride('SupportedIdentityProviders', ['COGNITO']);
  }
}
