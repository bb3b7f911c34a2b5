import { z } from 'zod';
import type { Action } from '../domain/access/policy.js';
import {
  AgreementVersion,
  AuditEntry,
  CreateAgreementBody,
  LifecycleBody,
  ListAgreementsQuery,
  SignOffBody,
  UpdateAgreementBody,
} from '../schemas/agreement.js';
import { CreateServiceBody, ListServicesQuery, Service, UpdateServiceBody } from '../schemas/service.js';
import { ARCHIVE_ROUTES } from './routes/archive.js';
import { CHAIN_ROUTES } from './routes/chain.js';
import { ECOSYSTEM_ROUTES } from './routes/ecosystem.js';
import { OBJECTIVES_ROUTES } from './routes/objectives.js';
import { REPORT_ROUTES } from './routes/reports.js';
import { TELEMETRY_ROUTES } from './routes/telemetry.js';
import { VENDOR_ROUTES } from './routes/vendors.js';
import { WORKFLOW_ROUTES } from './routes/workflows.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One route of the API. The table below is the single source for the local server, the CDK API,
 * the OpenAPI document and the permission-matrix test.
 */
export interface RouteSpec {
  id: string;
  method: Method;
  /** API Gateway resource path, with {params}. */
  path: string;
  /** none: public; user: a person's JWT (Cognito on AWS); vendor: an API key through the vendor authorizer. */
  auth: 'none' | 'user' | 'vendor';
  /** The permission the caller needs (absent only for public routes). */
  action?: Action;
  /** The handler module under functions/, without extension; it exports `handler`. */
  handler: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The success response's schema, for the OpenAPI document. */
  response?: z.ZodType;
  successStatus?: number;
  /** Needs If-Match with the current ETag. */
  ifMatch?: boolean;
  /** Largest accepted body in bytes (default 256 KiB). */
  maxBodyBytes?: number;
  /** Content types accepted besides application/json. */
  binary?: boolean;
}

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });
const Health = z.object({ status: z.literal('ok'), version: z.string() });

export const ROUTES: readonly RouteSpec[] = [
  {
    id: 'health',
    method: 'GET',
    path: '/health',
    auth: 'none',
    handler: 'meta/health',
    summary: 'Liveness',
    response: Health,
  },
  {
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    auth: 'none',
    handler: 'meta/openapi',
    summary: 'This API as OpenAPI 3.1',
  },

  {
    id: 'services.create',
    method: 'POST',
    path: '/v1/services',
    auth: 'user',
    action: 'service.create',
    handler: 'services/create',
    summary: 'Register a service',
    body: CreateServiceBody,
    response: Service,
    successStatus: 201,
  },
  {
    id: 'services.list',
    method: 'GET',
    path: '/v1/services',
    auth: 'user',
    action: 'service.read',
    handler: 'services/list',
    summary: 'List services',
    query: ListServicesQuery,
    response: page(Service),
  },
  {
    id: 'services.get',
    method: 'GET',
    path: '/v1/services/{serviceId}',
    auth: 'user',
    action: 'service.read',
    handler: 'services/get',
    summary: 'Read a service',
    response: Service,
  },
  {
    id: 'services.update',
    method: 'PATCH',
    path: '/v1/services/{serviceId}',
    auth: 'user',
    action: 'service.update',
    handler: 'services/update',
    summary: 'Update a service',
    body: UpdateServiceBody,
    response: Service,
    ifMatch: true,
  },
  {
    id: 'services.audit',
    method: 'GET',
    path: '/v1/services/{serviceId}/audit',
    auth: 'user',
    action: 'audit.read',
    handler: 'services/audit',
    summary: 'Audit trail of a service',
    response: page(AuditEntry),
  },

  {
    id: 'agreements.create',
    method: 'POST',
    path: '/v1/agreements',
    auth: 'user',
    action: 'agreement.create',
    handler: 'agreements/create',
    summary: 'Draft an agreement (SLA, OLA or UC)',
    body: CreateAgreementBody,
    response: AgreementVersion,
    successStatus: 201,
  },
  {
    id: 'agreements.list',
    method: 'GET',
    path: '/v1/agreements',
    auth: 'user',
    action: 'agreement.read',
    handler: 'agreements/list',
    summary: 'List and filter agreements',
    query: ListAgreementsQuery,
    response: page(AgreementVersion),
  },
  {
    id: 'agreements.get',
    method: 'GET',
    path: '/v1/agreements/{agreementId}',
    auth: 'user',
    action: 'agreement.read',
    handler: 'agreements/get',
    summary: 'Read the current version of an agreement',
    response: AgreementVersion,
  },
  {
    id: 'agreements.update',
    method: 'PATCH',
    path: '/v1/agreements/{agreementId}',
    auth: 'user',
    action: 'agreement.update',
    handler: 'agreements/update',
    summary: 'Change an agreement (a new version)',
    body: UpdateAgreementBody,
    response: AgreementVersion,
    ifMatch: true,
  },
  {
    id: 'agreements.retire',
    method: 'DELETE',
    path: '/v1/agreements/{agreementId}',
    auth: 'user',
    action: 'agreement.retire',
    handler: 'agreements/retire',
    summary: 'Retire an agreement (soft delete; history kept)',
    body: LifecycleBody,
    response: AgreementVersion,
    ifMatch: true,
  },
  {
    id: 'agreements.submit',
    method: 'POST',
    path: '/v1/agreements/{agreementId}/submit',
    auth: 'user',
    action: 'agreement.submit',
    handler: 'agreements/submit',
    summary: 'Submit a draft for sign-off',
    body: LifecycleBody,
    response: AgreementVersion,
    ifMatch: true,
  },
  {
    id: 'agreements.withdraw',
    method: 'POST',
    path: '/v1/agreements/{agreementId}/withdraw',
    auth: 'user',
    action: 'agreement.withdraw',
    handler: 'agreements/withdraw',
    summary: 'Withdraw a submission back to draft',
    body: LifecycleBody,
    response: AgreementVersion,
    ifMatch: true,
  },
  {
    id: 'agreements.signoff',
    method: 'POST',
    path: '/v1/agreements/{agreementId}/signoffs',
    auth: 'user',
    action: 'agreement.signoff',
    handler: 'agreements/signoff',
    summary: 'Record a sign-off decision in one capacity',
    body: SignOffBody,
    response: AgreementVersion,
    ifMatch: true,
  },
  {
    id: 'agreements.activate',
    method: 'POST',
    path: '/v1/agreements/{agreementId}/activate',
    auth: 'user',
    action: 'agreement.activate',
    handler: 'agreements/activate',
    summary: 'Activate an approved agreement',
    body: LifecycleBody,
    response: AgreementVersion,
    ifMatch: true,
  },
  {
    id: 'agreements.expire',
    method: 'POST',
    path: '/v1/agreements/{agreementId}/expire',
    auth: 'user',
    action: 'agreement.end',
    handler: 'agreements/expire',
    summary: 'Mark an active agreement expired',
    body: LifecycleBody,
    response: AgreementVersion,
    ifMatch: true,
  },
  {
    id: 'agreements.sunset',
    method: 'POST',
    path: '/v1/agreements/{agreementId}/sunset',
    auth: 'user',
    action: 'agreement.end',
    handler: 'agreements/sunset',
    summary: 'Sunset an active agreement',
    body: LifecycleBody,
    response: AgreementVersion,
    ifMatch: true,
  },
  {
    id: 'agreements.versions',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/versions',
    auth: 'user',
    action: 'agreement.read',
    handler: 'agreements/versions',
    summary: 'Every version of an agreement',
    response: z.object({ items: z.array(AgreementVersion) }),
  },
  {
    id: 'agreements.version',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/versions/{version}',
    auth: 'user',
    action: 'agreement.read',
    handler: 'agreements/version',
    summary: 'One version of an agreement',
    response: AgreementVersion,
  },
  {
    id: 'agreements.audit',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/audit',
    auth: 'user',
    action: 'audit.read',
    handler: 'agreements/audit',
    summary: 'Audit trail: who, when, why and a field-level diff',
    response: page(AuditEntry),
  },
  ...TELEMETRY_ROUTES,
  ...OBJECTIVES_ROUTES,
  ...VENDOR_ROUTES,
  ...ARCHIVE_ROUTES,
  ...REPORT_ROUTES,
  ...WORKFLOW_ROUTES,
  ...CHAIN_ROUTES,
  ...ECOSYSTEM_ROUTES,
];

export function routeById(id: string): RouteSpec {
  const r = ROUTES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown route ${id}`);
  return r;
}
