import type { Principal } from '../../domain/access/policy.js';
import { BusinessRuleError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { type AgreementTemplate, mergeTemplate, type TemplateCatalogue } from '../../policy/templates.js';
import { type AgreementVersion, CreateAgreementBody } from '../../schemas/agreement.js';
import type { TemplateDraftBody } from '../../schemas/governance.js';
import type { AgreementUseCases } from '../agreements.js';

export interface TemplateView extends AgreementTemplate {
  /** Every version of this template, oldest first; the view is of `version`. */
  versions: number[];
  latest: boolean;
}

/**
 * Agreement templates (issue 11 item 5): versioned data (shared/policy/templates.json) listed and read through the
 * API, and drafts made from them. A draft names the template (and a version, else the latest), the terms it sets and
 * the objectives' contacts; a term the template fixes is refused (422), any other overrides the template's; the
 * result goes through the agreement use case's create (every rule applies) and records `{template: {id, version}}`.
 * The content is copied at drafting, so a later template version never alters an agreement made before it.
 */
export class TemplateUseCases {
  constructor(
    private readonly catalogue: TemplateCatalogue,
    private readonly agreements: () => AgreementUseCases,
  ) {}

  list(): { items: TemplateView[] } {
    const ids = [...new Set(this.catalogue.templates.map((t) => t.id))];
    return { items: ids.map((id) => this.view(id)) };
  }

  get(id: string, version?: number): TemplateView {
    return this.view(id, version);
  }

  async draft(p: Principal, id: string, body: TemplateDraftBody): Promise<AgreementVersion> {
    const t = this.view(id, body.version);
    const fixed = Object.keys(body.terms).filter((k) => t.fixed.includes(k));
    if (fixed.length) {
      throw new BusinessRuleError(`template ${t.id} version ${t.version} fixes ${fixed.join(', ')}`, [
        ...fixed.map((f) => ({ path: `terms.${f}`, problem: `is fixed by template ${t.id} v${t.version}` })),
      ]);
    }
    const merged = mergeTemplate(t, body);
    const parsed = CreateAgreementBody.safeParse({ ...merged, reason: body.reason });
    if (!parsed.success) {
      throw new ValidationError(
        'the draft does not make a valid agreement',
        parsed.error.issues.map((i) => ({
          path: `terms.${i.path.join('.')}`,
          problem: i.message,
        })),
      );
    }
    return this.agreements().create(p, parsed.data, { template: { id: t.id, version: t.version } });
  }

  private view(id: string, version?: number): TemplateView {
    const all = this.catalogue.templates.filter((t) => t.id === id).sort((a, b) => a.version - b.version);
    if (all.length === 0) {
      throw new NotFoundError(`no template ${id}`, [{ path: 'templateId', problem: 'names no template' }]);
    }
    const t = version === undefined ? all.at(-1) : all.find((x) => x.version === version);
    if (!t) {
      throw new NotFoundError(`template ${id} has no version ${version}`, [
        { path: 'version', problem: `is not one of ${all.map((x) => x.version).join(', ')}` },
      ]);
    }
    return { ...t, versions: all.map((x) => x.version), latest: t === all.at(-1) };
  }
}
