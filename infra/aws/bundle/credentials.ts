// Aliased for '@aws-sdk/credential-provider-node' in Lambda bundles only (infra/aws/bundling.ts). Lambda always
// hands a function its role's credentials in environment variables, so the SDK's default chain (SSO, INI files,
// IMDS, web identity, process) is dead weight at cold start: about 90 KB of bundle.

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const defaultProvider = () => async (): Promise<Credentials> => {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('no AWS credentials in the environment: this bundle only runs on AWS Lambda');
  }
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
};
