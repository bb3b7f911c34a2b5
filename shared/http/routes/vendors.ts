import { z } from 'zod';
import { TELEMETRY_LIMITS } from '../../policy/telemetry.js';
import { AuditEntry } from '../../schemas/agreement.js';
import { AuditQuery } from '../../schemas/audit.js';
import { IngestResponse } from '../../schemas/telemetry.js';
import {
  BindVendorBody,
  CreateVendorBody,
  DatadogValidateQuery,
  DatadogValidateResponse,
  IssuedKey,
  ListVendorsQuery,
  RevokeBody,
  RotateVendorKeyBody,
  Vendor,
} from '../../schemas/vendor.js';
import { DATADOG_SERIES_PATH, DATADOG_VALIDATE_PATH } from '../datadog.js';
import type { RouteSpec } from '../routes.js';

/** Monitoring vendors and their keys (admins manage, auditors read), and the Datadog Agent's own paths. */
export const VENDOR_ROUTES: readonly RouteSpec[] = [
  {
    id: 'vendors.create',
    method: 'POST',
    path: '/v1/vendors',
    auth: 'user',
    action: 'vendor.manage',
    handler: 'vendors/create',
    summary:
      'Register a monitoring vendor with its tier and bindings; answers its first API key, shown this once (Accord keeps its SHA-256)',
    body: CreateVendorBody,
    response: IssuedKey,
    successStatus: 201,
  },
  {
    id: 'vendors.list',
    method: 'GET',
    path: '/v1/vendors',
    auth: 'user',
    action: 'vendor.read',
    handler: 'vendors/list',
    summary: 'List vendors, their bindings and key metadata (never keys)',
    query: ListVendorsQuery,
    response: z.object({ items: z.array(Vendor), nextCursor: z.string().optional() }),
  },
  {
    id: 'vendors.get',
    method: 'GET',
    path: '/v1/vendors/{vendorId}',
    auth: 'user',
    action: 'vendor.read',
    handler: 'vendors/get',
    summary: 'Read a vendor',
    response: Vendor,
  },
  {
    id: 'vendors.bind',
    method: 'PUT',
    path: '/v1/vendors/{vendorId}/bindings',
    auth: 'user',
    action: 'vendor.manage',
    handler: 'vendors/bind',
    summary:
      'Replace the services and SLIs a vendor may write; samples for anything else are rejected (not_your_service)',
    body: BindVendorBody,
    response: Vendor,
    ifMatch: true,
  },
  {
    id: 'vendors.rotate',
    method: 'POST',
    path: '/v1/vendors/{vendorId}/keys',
    auth: 'user',
    action: 'vendor.manage',
    handler: 'vendors/rotate',
    summary:
      'Issue a new API key (shown this once); the keys valid now keep working until previousKeysValidUntil (default 24 h)',
    body: RotateVendorKeyBody,
    response: IssuedKey,
    successStatus: 201,
    ifMatch: true,
  },
  {
    id: 'vendors.revokeKey',
    method: 'DELETE',
    path: '/v1/vendors/{vendorId}/keys/{keyId}',
    auth: 'user',
    action: 'vendor.manage',
    handler: 'vendors/revoke-key',
    summary: 'Revoke one API key at once',
    body: RevokeBody,
    response: Vendor,
    ifMatch: true,
  },
  {
    id: 'vendors.revoke',
    method: 'DELETE',
    path: '/v1/vendors/{vendorId}',
    auth: 'user',
    action: 'vendor.manage',
    handler: 'vendors/revoke',
    summary: 'Revoke a vendor: every key stops at once; the record and its history stay',
    body: RevokeBody,
    response: Vendor,
    ifMatch: true,
  },
  {
    id: 'vendors.audit',
    method: 'GET',
    path: '/v1/vendors/{vendorId}/audit',
    auth: 'user',
    // Vendors belong to no business unit: their trail is for the portfolio-wide readers of vendors (admin, auditor).
    action: 'vendor.read',
    handler: 'vendors/audit',
    summary: 'Audit trail of a vendor: creation, bindings, key rotations and revocations',
    query: AuditQuery,
    response: z.object({ items: z.array(AuditEntry), nextCursor: z.string().optional() }),
  },
  {
    id: 'datadog.series',
    method: 'POST',
    path: DATADOG_SERIES_PATH,
    auth: 'vendor',
    action: 'telemetry.ingest',
    handler: 'telemetry/datadog-series',
    summary:
      "The Datadog Agent's series intake (DD-API-KEY; gzip or deflate JSON v2 series): the same ingestion as POST /v1/telemetry, answered 202 as Datadog does, with Accord's per-sample report",
    response: IngestResponse,
    successStatus: 202,
    binary: true,
    maxBodyBytes: TELEMETRY_LIMITS.maxBodyBytes,
  },
  {
    id: 'datadog.validate',
    method: 'GET',
    path: DATADOG_VALIDATE_PATH,
    auth: 'vendor',
    action: 'telemetry.ingest',
    handler: 'telemetry/datadog-validate',
    summary:
      'The Datadog Agent\'s key check (?api_key= or DD-API-KEY): 200 {"valid": true} for a key that authenticates, 403 for one that does not, as Datadog answers',
    query: DatadogValidateQuery,
    response: DatadogValidateResponse,
  },
];
