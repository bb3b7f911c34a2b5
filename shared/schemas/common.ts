import { z } from 'zod';

/** Identifiers: a short prefix and a time-ordered body, so keyset pagination follows insertion order. */
export const AgreementId = z.string().regex(/^agr_[0-9A-Za-z]{10,40}$/, 'must look like agr_…');
export const ServiceId = z
  .string()
  .regex(/^svc_[0-9a-z][0-9a-z-]{1,62}$/, 'must look like svc_<lower-case slug>');
export const BusinessUnitId = z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be a lower-case slug');
export const Slug = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lower-case slug');

/** A calendar date (YYYY-MM-DD); impossible dates such as 2026-02-30 are refused. */
export const IsoDate = z.iso.date();
/** An instant with an explicit offset (RFC 3339). */
export const IsoDateTime = z.iso.datetime({ offset: true });

const validTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(validTimeZone, 'must be an IANA time zone such as Europe/London');

/** AWS-style region names used for data residency. */
export const Region = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be a region name such as eu-west-1');

export const Email = z.email();
export const Contact = z.strictObject({
  name: z.string().min(1).max(120),
  email: Email,
});

/**
 * Why a change is made. Limits on trimmed strings count the string as sent (max before trim), as API Gateway's
 * model does, so both deployments refuse the same strings; the minimum counts what is left after trimming.
 */
export const Reason = z.string().max(1000).trim().min(3, 'a reason of at least 3 characters is required');

export const Tier = z
  .number()
  .int('must be 1, 2, 3 or 4')
  .min(1, 'must be 1, 2, 3 or 4')
  .max(4, 'must be 1, 2, 3 or 4');

export const ComplianceTag = z.enum([
  'GDPR',
  'HIPAA',
  'SOX',
  'PCI-DSS',
  'ISO27001',
  'SOC2',
  'FedRAMP',
  'DORA',
  'NIS2',
]);
