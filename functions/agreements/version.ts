import { ValidationError } from '../../shared/domain/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';

export const handler = httpHandler({
  route: 'agreements.version',
  run: async ({ params, principal, deps }) => {
    const version = Number(params.version);
    if (!Number.isInteger(version) || version < 1) {
      throw new ValidationError('bad version', [
        { path: 'version', problem: `"${params.version}" is not a positive integer` },
      ]);
    }
    return versioned(await deps.agreements.getVersion(principal, params.agreementId!, version));
  },
});
