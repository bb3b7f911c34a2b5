import { z } from 'zod';
import {
  AccessLogQuery,
  ArchiveAccessSchema,
  ArchiveDownloadLink,
  ArchiveDownloadQuery,
  ArchiveListQuery,
  ArchiveListResponse,
  ArchiveVerification,
  ArchiveVerifyQuery,
} from '../../schemas/archive.js';
import type { RouteSpec } from '../routes.js';

/** Routes of the WORM archive (auditors: read-only); spread into ROUTES. Every retrieval is logged. */
export const ARCHIVE_ROUTES: readonly RouteSpec[] = [
  {
    id: 'archive.list',
    method: 'GET',
    path: '/v1/archive',
    auth: 'user',
    action: 'archive.read',
    handler: 'archive/list',
    summary: 'Archived records (manifest entries) by type, agreement and period, in chain order',
    query: ArchiveListQuery,
    response: ArchiveListResponse,
  },
  {
    id: 'archive.download',
    method: 'GET',
    path: '/v1/archive/download',
    auth: 'user',
    action: 'archive.read',
    handler: 'archive/download',
    summary: 'Download an archived object: a presigned URL on AWS, the bytes on the embedded default',
    query: ArchiveDownloadQuery,
    response: ArchiveDownloadLink,
  },
  {
    id: 'archive.verify',
    method: 'GET',
    path: '/v1/archive/verify',
    auth: 'user',
    action: 'archive.read',
    handler: 'archive/verify',
    summary: 'Recompute every object hash and the manifest chain; report invalid, missing, gap and unlisted',
    query: ArchiveVerifyQuery,
    response: ArchiveVerification,
  },
  {
    id: 'archive.access-log',
    method: 'GET',
    path: '/v1/archive/access-log',
    auth: 'user',
    action: 'archive.read',
    handler: 'archive/access-log',
    summary: 'Who listed, downloaded or verified what in the archive, newest first (default: 30 days)',
    query: AccessLogQuery,
    response: z.object({ items: z.array(ArchiveAccessSchema) }),
  },
];
