import { z } from 'zod';
import {
  AUDIENCES,
  FORMATS,
  REPORT_SCHEMA,
  REPORT_TYPES,
  SENSITIVE_CLASSES,
} from '../domain/reports/model.js';
import { AgreementId, BusinessUnitId, IsoDateTime, Region, ServiceId } from './common.js';

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM');

export const ReportTypeSchema = z.enum(REPORT_TYPES);
export const AudienceSchema = z.enum(AUDIENCES);
export const FormatSchema = z.enum(FORMATS);

/** An on-demand report: which period, in which format, for which audience, drilled down how. */
export const ReportQuery = z.strictObject({
  /** The (last) month of the period; the previous calendar month by default. */
  period: Month.optional(),
  /** How many months the period covers, ending with `period` (trends, per-period drill-down). */
  months: z.coerce.number().int().min(1).max(12).default(1),
  format: FormatSchema.default('json'),
  /** Whom the report is for: decides what is redacted (shared/policy/reports.json). The first your roles may ask for by default. */
  audience: AudienceSchema.optional(),
  /** The customer business unit (audience customer) or the vendor id (audience vendor). */
  party: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a business unit or vendor id')
    .optional(),
  businessUnit: BusinessUnitId.optional(),
  serviceId: ServiceId.optional(),
  region: Region.optional(),
  agreementId: AgreementId.optional(),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

export const PublishBody = z.strictObject({
  period: Month.optional(),
  months: z.number().int().min(1).max(12).default(1),
  audience: AudienceSchema.default('internal'),
  party: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/)
    .optional(),
  businessUnit: BusinessUnitId.optional(),
  /** Each format once: a repeated format would archive its key twice, and archived objects are write-once. */
  formats: z
    .array(FormatSchema)
    .min(1)
    .max(4)
    .refine((f) => new Set(f).size === f.length, 'names a format more than once')
    .default(['pdf', 'json']),
  /**
   * Who is e-mailed the report (distribution lists matched by role and sign-off capacity; for a customer report,
   * only lists of that customer's business unit or of no business unit). Nobody when left out.
   */
  deliverTo: z
    .strictObject({
      roles: z
        .array(z.enum(['admin', 'sla-manager', 'approver', 'service-owner', 'auditor', 'viewer']))
        .max(6)
        .default([]),
      capacities: z
        .array(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/))
        .max(20)
        .default([]),
    })
    .optional(),
});
export type PublishBody = z.infer<typeof PublishBody>;

const Cell = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('text'), v: z.string() }),
  z.strictObject({ t: z.literal('number'), v: z.number().nullable(), digits: z.number().int().optional() }),
  z.strictObject({ t: z.literal('percent'), v: z.number().nullable(), digits: z.number().int().optional() }),
  z.strictObject({ t: z.literal('money'), v: z.number().nullable(), currency: z.string() }),
  z.strictObject({
    t: z.literal('status'),
    v: z.enum([
      'healthy',
      'at-risk',
      'breached',
      'unknown',
      'met',
      'missed',
      'match',
      'difference',
      'not-checked',
    ]),
  }),
  z.strictObject({ t: z.literal('date'), v: z.string().nullable() }),
]);

/** The JSON report document, version 1 (`schema: "accord.report/v1"`). New fields may be added; none removed. */
export const ReportDocumentV1 = z.strictObject({
  schema: z.literal(REPORT_SCHEMA),
  id: z.string(),
  type: ReportTypeSchema,
  title: z.string(),
  scopeLabel: z.string(),
  audience: AudienceSchema,
  party: z.string().optional(),
  period: z.strictObject({ label: z.string(), start: IsoDateTime, end: IsoDateTime }),
  generatedAt: IsoDateTime,
  generatedBy: z.string(),
  summary: z.array(z.strictObject({ label: z.string(), cell: Cell })),
  sections: z.array(
    z.strictObject({
      id: z.string(),
      title: z.string(),
      paragraphs: z.array(z.string()),
      tables: z.array(
        z.strictObject({
          id: z.string(),
          title: z.string(),
          columns: z.array(
            z.strictObject({
              key: z.string(),
              label: z.string(),
              class: z.enum(SENSITIVE_CLASSES).optional(),
            }),
          ),
          rows: z.array(z.array(Cell)),
          empty: z.string(),
        }),
      ),
      charts: z.array(
        z.strictObject({
          id: z.string(),
          title: z.string(),
          periodStart: IsoDateTime,
          periodEnd: IsoDateTime,
          timeZone: z.string().optional(),
          points: z.array(z.strictObject({ at: IsoDateTime, remaining: z.number().nullable() })),
          empty: z.string(),
        }),
      ),
    }),
  ),
  commentary: z.array(
    z.strictObject({
      agreementId: z.string(),
      objectiveId: z.string(),
      author: z.string(),
      at: IsoDateTime,
      text: z.string(),
    }),
  ),
  notes: z.array(z.string()),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

export const PublishResponse = z.object({
  reportId: z.string(),
  hash: z.string(),
  archived: z.array(z.object({ key: z.string(), seq: z.number().int(), sha256: z.string() })),
  deliveryId: z.string(),
});
