import { httpHandler } from '../../shared/http/handler.js';
import { PublishBody } from '../../shared/schemas/reports.js';
import { ReportUseCases, reportsIn } from '../../shared/usecases/reports/index.js';

export const handler = httpHandler({
  route: 'reports.publish',
  body: PublishBody,
  run: async ({ params, body, principal, deps }) => ({
    status: 201,
    body: await reportsIn(deps).publish(principal, ReportUseCases.reportType(params.reportType), body),
  }),
});
