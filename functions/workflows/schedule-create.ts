import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { ScheduleBody } from '../../shared/schemas/governance.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'agreements.schedules.create',
  body: ScheduleBody,
  run: async ({ params, body, principal, basePath, deps }) => {
    const a = await workflowsIn(deps).modular.createSchedule(principal, params.agreementId!, body);
    return versioned(a, 201, { Location: `${basePath}/v1/agreements/${a.id}` });
  },
});
