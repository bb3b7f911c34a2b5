import { PublishBody, PublishResponse, ReportDocumentV1, ReportQuery } from '../../schemas/reports.js';
import type { RouteSpec } from '../routes.js';

/** Routes of the reports; spread into ROUTES. */
export const REPORT_ROUTES: readonly RouteSpec[] = [
  {
    id: 'reports.get',
    method: 'GET',
    path: '/v1/reports/{reportType}',
    auth: 'user',
    action: 'report.read',
    handler: 'reports/get',
    summary:
      'A report on demand (monthly-compliance, credit-statement, violation-trends, ola-uc-performance, error-budget, sla-audit) in HTML, PDF, CSV or JSON, scoped as your data and redacted for the audience',
    query: ReportQuery,
    response: ReportDocumentV1,
  },
  {
    id: 'reports.publish',
    method: 'POST',
    path: '/v1/reports/{reportType}/publish',
    auth: 'user',
    action: 'report.publish',
    handler: 'reports/publish',
    summary: 'Publish a report now: rendered, archived write-once (hash-chained) and handed to delivery',
    body: PublishBody,
    response: PublishResponse,
    successStatus: 201,
  },
];
