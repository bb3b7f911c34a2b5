import { randomBytes } from 'node:crypto';
import {
  type APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetUsagePlansCommand,
} from '@aws-sdk/client-api-gateway';
import { UnavailableError } from '../../domain/errors.js';
import type { UsagePlans } from '../../ports/vendors.js';

export interface ApiGatewayUsagePlansOptions {
  /** The REST API whose stage the plans throttle. */
  restApiId: string;
  stage: string;
  /** Plans are named `<prefix><tier>` (infra/aws/constructs/api.ts): `accord-vendor-`. */
  planNamePrefix: string;
}

/**
 * Vendor metering on API Gateway: one API key per vendor (a random value Accord never gives out: with the API's
 * key source set to AUTHORIZER, a client cannot present it) on the usage plan of the vendor's tier. The
 * authorizer returns its value as `usageIdentifierKey`, so a vendor is throttled as one whichever of its keys,
 * and whichever header, it authenticated with. Plans are found by name on this API's stage (their ids cannot be
 * given to the function as settings without a dependency cycle in the stack).
 */
export class ApiGatewayUsagePlans implements UsagePlans {
  private plans: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly client: APIGatewayClient,
    private readonly options: ApiGatewayUsagePlansOptions,
  ) {}

  async enrol(vendorId: string, tier: string): Promise<{ usagePlanKeyId: string; usageKey: string }> {
    const usagePlanId = (await this.planIds()).get(tier);
    if (!usagePlanId) {
      this.plans = undefined;
      throw new UnavailableError(`no usage plan ${this.options.planNamePrefix}${tier} on this API's stage`);
    }
    const value = randomBytes(30).toString('base64url');
    const key = await this.client.send(
      new CreateApiKeyCommand({
        name: `accord-vendor-${vendorId}-${Date.now().toString(36)}`,
        description: `Accord vendor ${vendorId}: meters it against usage plan ${tier} (never given to the vendor)`,
        enabled: true,
        value,
      }),
    );
    if (!key.id) throw new Error('API Gateway created an API key without an id');
    try {
      await this.client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId, keyId: key.id, keyType: 'API_KEY' }),
      );
    } catch (e) {
      await this.withdraw(key.id);
      throw e;
    }
    return { usagePlanKeyId: key.id, usageKey: value };
  }

  async withdraw(usagePlanKeyId: string): Promise<void> {
    try {
      await this.client.send(new DeleteApiKeyCommand({ apiKey: usagePlanKeyId }));
    } catch (e) {
      if ((e as Error).name !== 'NotFoundException') throw e;
    }
  }

  /** tier → usage plan id, for the plans named `<prefix><tier>` attached to this API's stage. */
  private planIds(): Promise<Map<string, string>> {
    this.plans ??= (async () => {
      const out = new Map<string, string>();
      let position: string | undefined;
      do {
        const page = await this.client.send(
          new GetUsagePlansCommand({ limit: 500, ...(position ? { position } : {}) }),
        );
        for (const p of page.items ?? []) {
          const ours = p.apiStages?.some(
            (s) => s.apiId === this.options.restApiId && s.stage === this.options.stage,
          );
          if (ours && p.id && p.name?.startsWith(this.options.planNamePrefix)) {
            out.set(p.name.slice(this.options.planNamePrefix.length), p.id);
          }
        }
        position = page.position;
      } while (position);
      return out;
    })().catch((e: unknown) => {
      this.plans = undefined;
      throw e;
    });
    return this.plans;
  }
}
