import { z } from 'zod';
import { AgreementContent } from './agreement.js';
import { CreateServiceBody } from './service.js';

/**
 * What the `AccordRegistration` CDK construct provisions (issue 14 item 5): one service and one agreement with its
 * objectives. The agreement's `serviceId` is the service's id, so it is not given twice. Validated at synth (in the
 * construct) and again in the custom resource's onEvent function, with these same schemas the API uses.
 */
export const ProvisioningSpec = z.strictObject({
  service: CreateServiceBody.omit({ reason: true }),
  agreement: AgreementContent.omit({ serviceId: true }),
});
export type ProvisioningSpecInput = z.input<typeof ProvisioningSpec>;
export type ProvisioningSpec = z.infer<typeof ProvisioningSpec>;
