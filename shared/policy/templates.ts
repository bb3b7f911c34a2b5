/**
 * Agreement templates as versioned data (issue 11 item 5): shared/policy/templates.json, validated when loaded. Every
 * template version must make a valid agreement: at load it is drafted against a sample of what a draft supplies and
 * parsed with the agreement schema, so a broken template stops the process at start, naming itself.
 */
import { z } from 'zod';
import { AgreementContentFields, AgreementKind, CreateAgreementBody } from '../schemas/agreement.js';
import templatesJson from './templates.json' with { type: 'json' };

/** Fields a template never holds: they belong to the service and the parties a draft is for. */
export const DRAFT_ONLY_FIELDS = ['kind', 'serviceId', 'businessUnit', 'parties', 'effectiveFrom'] as const;
const CONTENT_FIELDS = Object.keys(AgreementContentFields).filter(
  (k) => !(DRAFT_ONLY_FIELDS as readonly string[]).includes(k),
);

export const AgreementTemplate = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  version: z.number().int().min(1),
  name: z.string().min(3).max(200),
  description: z.string().max(2000),
  kind: AgreementKind,
  /** Fields the template decides: a draft may not set them. */
  fixed: z.array(z.enum(CONTENT_FIELDS as [string, ...string[]])),
  /** What a draft starts from: agreement fields (objectives without owner or customer contact). */
  content: z
    .record(z.string(), z.unknown())
    .refine((c) => Object.keys(c).every((k) => CONTENT_FIELDS.includes(k)), {
      message: `holds only agreement fields a template may set (${CONTENT_FIELDS.join(', ')})`,
    }),
});
export type AgreementTemplate = z.infer<typeof AgreementTemplate>;

export const TemplateCatalogue = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  templates: z.array(AgreementTemplate).min(1),
});
export type TemplateCatalogue = z.infer<typeof TemplateCatalogue>;

/** A template's content with the contacts and party fields of a draft: what `draftFromTemplate` merges. */
export function mergeTemplate(
  t: Pick<AgreementTemplate, 'kind' | 'content'>,
  draft: {
    terms: Record<string, unknown>;
    objectiveOwner: { name: string; email: string };
    customerContact: { name: string; email: string };
  },
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...structuredClone(t.content), ...draft.terms, kind: t.kind };
  if (Array.isArray(merged.objectives)) {
    merged.objectives = (merged.objectives as Record<string, unknown>[]).map((o) => ({
      owner: draft.objectiveOwner,
      customerContact: draft.customerContact,
      ...o,
    }));
  }
  return merged;
}

const SAMPLE = {
  terms: {
    title: 'Template check',
    serviceId: 'svc_template-check',
    businessUnit: 'template-check',
    parties: {
      provider: { type: 'business-unit', businessUnit: 'template-check' },
      customer: { type: 'business-unit', businessUnit: 'template-check' },
    },
    timeZone: 'UTC',
    reviewCycle: { everyMonths: 12, nextReviewDate: '2030-01-01' },
    jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
    dataResidency: { region: 'eu-west-1', processingRegions: [] },
    effectiveFrom: '2030-01-01',
    supportedHours: { kind: 'always' },
    reason: 'template check',
  },
  objectiveOwner: { name: 'Owner', email: 'owner@example.com' },
  customerContact: { name: 'Customer', email: 'customer@example.com' },
};

export function loadTemplates(raw: unknown = templatesJson): TemplateCatalogue {
  const r = TemplateCatalogue.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `shared/policy/templates.json is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const seen = new Set<string>();
  for (const t of r.data.templates) {
    const key = `${t.id}@${t.version}`;
    if (seen.has(key)) throw new Error(`shared/policy/templates.json: ${key} appears twice`);
    seen.add(key);
    const sample = { ...SAMPLE, terms: { ...SAMPLE.terms, ...t.content } };
    const made = CreateAgreementBody.safeParse(mergeTemplate(t, sample));
    if (!made.success) {
      throw new Error(
        `shared/policy/templates.json: ${key} does not make a valid agreement: ${made.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
  }
  return r.data;
}
