import { httpHandler } from '../../shared/http/handler.js';
import { file, ok } from '../../shared/http/respond.js';
import { ReportQuery } from '../../shared/schemas/reports.js';
import { ReportUseCases, reportsIn } from '../../shared/usecases/reports/index.js';

export const handler = httpHandler({
  route: 'reports.get',
  query: ReportQuery,
  run: async ({ params, query, principal, deps }) => {
    const type = ReportUseCases.reportType(params.reportType);
    const { model, rendered } = await reportsIn(deps).onDemand(principal, type, query);
    if (query.format === 'json') return ok(model, { 'X-Report-SHA256': model.hash });
    const res = file(
      rendered.body,
      rendered.contentType,
      `${type}-${model.period.label.replace(/ /g, '')}.${rendered.extension}`,
    );
    return { ...res, headers: { ...res.headers, 'X-Report-SHA256': model.hash } };
  },
});
