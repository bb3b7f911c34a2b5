import { ProvisioningSpec } from '../schemas/provisioning.js';

/** The part of a CloudFormation custom resource event (CDK Provider framework onEvent) that reconcile reads. */
export interface ProvisioningEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  /** The agreement id on Update and Delete (what Create returned). */
  PhysicalResourceId?: string;
  /** `Spec`: the ProvisioningSpec as a JSON string (CloudFormation turns numbers in properties into strings). */
  ResourceProperties: { Spec: string } & Record<string, unknown>;
}

/** What onEvent returns to the Provider framework: the agreement id and attributes readable by Fn::GetAtt. */
export interface ProvisioningResult {
  PhysicalResourceId: string;
  Data: { ServiceId: string; AgreementId: string; AgreementStatus: string; Action: string };
}

/** Where and as whom reconcile calls Accord's public API; `fetch` is the global one unless a test gives another. */
export interface AccordApi {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
}

/**
 * An Accord API call that did not succeed. The message carries the method, path, status, the API's error code
 * and message and each `details[]` entry, so the FAILED response CloudFormation shows says what the API said.
 */
export class AccordApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    method: string,
    path: string,
  ) {
    super(`Accord API ${method} ${path} answered ${status}: ${describe(body)}`);
    this.name = 'AccordApiError';
  }
}

function describe(body: unknown): string {
  const err = (
    body as { error?: { code?: string; message?: string; details?: { path?: string; problem?: string }[] } }
  )?.error;
  if (!err) return typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body ?? null).slice(0, 500);
  const details = (err.details ?? []).map((d) => `${d.path}: ${d.problem}`).join('; ');
  return `${err.code}: ${err.message}${details ? ` (${details})` : ''}`;
}

/** What reconcile reads of a service or an agreement version (the API's Service / AgreementVersion). */
interface Record_ {
  id: string;
  status: string;
  version: number;
  businessUnit?: string;
  [field: string]: unknown;
}

interface Reply {
  status: number;
  body: Record_;
}

async function call(
  api: AccordApi,
  method: string,
  path: string,
  body?: unknown,
  version?: number,
): Promise<Reply> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${api.token}`,
    accept: 'application/json',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (version !== undefined) headers['if-match'] = `"${version}"`;
  const res = await (api.fetch ?? fetch)(`${api.baseUrl.replace(/\/$/, '')}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed as Record_ };
}

async function ok(
  api: AccordApi,
  method: string,
  path: string,
  body?: unknown,
  version?: number,
): Promise<Record_> {
  const r = await call(api, method, path, body, version);
  if (r.status >= 300) throw new AccordApiError(r.status, r.body, method, path);
  return r.body;
}

/** JSON with object keys sorted, so two values compare equal whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** The fields of `desired` whose value differs from `current`'s (fields absent from `desired` are not compared). */
function changed(
  desired: Record<string, unknown>,
  current: Record<string, unknown>,
  keys: string[],
): string[] {
  return keys.filter((k) => desired[k] !== undefined && canonical(desired[k]) !== canonical(current[k]));
}

const SERVICE_MUTABLE = ['name', 'description', 'tier', 'residencyRegion', 'cmdbCi', 'owner'];
/** Fixed at creation (UpdateAgreementBody): a change to these needs a new agreement. */
const AGREEMENT_FIXED = ['kind', 'businessUnit', 'module'];
/** Statuses in which the provisioned agreement is retired on Delete; any other is left as it is. */
const RETIRABLE = new Set(['draft', 'submitted', 'approved']);

const REASON = 'provisioned by the AccordRegistration CDK construct';

/** Creates the service, or updates the fields that differ; a no-op when it already matches. */
async function convergeService(api: AccordApi, spec: ProvisioningSpec): Promise<void> {
  const path = `/v1/services/${encodeURIComponent(spec.service.id)}`;
  const got = await call(api, 'GET', path);
  if (got.status === 404) {
    await ok(api, 'POST', '/v1/services', { ...spec.service, reason: REASON });
    return;
  }
  if (got.status >= 300) throw new AccordApiError(got.status, got.body, 'GET', path);
  if (got.body.businessUnit !== spec.service.businessUnit)
    throw new Error(
      `service ${spec.service.id} belongs to business unit ${got.body.businessUnit}, not ${spec.service.businessUnit}; a service's business unit cannot change`,
    );
  const fields = changed(spec.service, got.body, SERVICE_MUTABLE);
  if (fields.length === 0) return;
  const patch = Object.fromEntries(fields.map((k) => [k, (spec.service as Record<string, unknown>)[k]]));
  await ok(api, 'PATCH', path, { ...patch, reason: REASON }, got.body.version);
}

/** The desired agreement content with the service's id filled in. */
function content(spec: ProvisioningSpec): Record<string, unknown> {
  return { ...spec.agreement, serviceId: spec.service.id };
}

async function createAgreement(
  api: AccordApi,
  spec: ProvisioningSpec,
  action: string,
): Promise<ProvisioningResult> {
  const a = await ok(api, 'POST', '/v1/agreements', { ...content(spec), reason: REASON });
  return result(spec, a, action);
}

function result(
  spec: { service: { id: string } },
  a: { id: string; status: string },
  action: string,
): ProvisioningResult {
  return {
    PhysicalResourceId: a.id,
    Data: { ServiceId: spec.service.id, AgreementId: a.id, AgreementStatus: a.status, Action: action },
  };
}

/** Brings a draft to the desired content: one PATCH (a new draft version) of the fields that differ, or nothing. */
async function convergeDraft(
  api: AccordApi,
  spec: ProvisioningSpec,
  current: Record_,
): Promise<ProvisioningResult> {
  const desired = content(spec);
  const fixed = changed(desired, current, AGREEMENT_FIXED);
  if (fixed.length > 0) return createAgreement(api, spec, `replaced (${fixed.join(', ')} fixed at creation)`);
  const keys = Object.keys(desired).filter((k) => !AGREEMENT_FIXED.includes(k) && k !== 'serviceId');
  const fields = changed(desired, current, keys);
  if (fields.length === 0) return result(spec, current, 'unchanged');
  const patch = Object.fromEntries(fields.map((k) => [k, desired[k]]));
  const a = await ok(
    api,
    'PATCH',
    `/v1/agreements/${current.id}`,
    { ...patch, reason: `${REASON}: ${fields.join(', ')}` },
    current.version,
  );
  return result(spec, a, `updated ${fields.join(', ')}`);
}

/** On Create: an open draft of this service with the same kind and title (a retried Create) is reused. */
async function findDraft(api: AccordApi, spec: ProvisioningSpec): Promise<Record_ | undefined> {
  const q = `serviceId=${encodeURIComponent(spec.service.id)}&status=draft&kind=${spec.agreement.kind}&limit=200`;
  const page = (await ok(api, 'GET', `/v1/agreements?${q}`)) as unknown as { items?: Record_[] };
  const items = page.items ?? [];
  return items.find((a) => a.title === spec.agreement.title);
}

/**
 * The custom resource's logic: converge Accord on the spec (Create/Update) or clean up (Delete).
 *
 * - Create/Update: the service is created or its differing fields updated. The agreement (the physical resource)
 *   is created as a draft; when it is still a draft, the fields that differ are PATCHed (Accord keeps each change
 *   as a new draft version) and nothing is sent when none differ. Once it has left draft (submitted, approved,
 *   active…) it is never edited: a spec that differs creates a new draft agreement (a new physical id, so
 *   CloudFormation then deletes the old one, see Delete). A spec that matches changes nothing.
 * - Delete: a draft, submitted or approved agreement is retired (Accord's soft delete; its history stays). An
 *   active, expired or sunset agreement is left as it is: it is a signed commitment whose end is a governance
 *   decision (expire or sunset, with sign-offs), which the lifecycle does not let a deployment take. The service is
 *   never deleted (services have no delete; sunset is a governed act).
 *
 * Errors: AccordApiError for any API answer it cannot act on (the Provider framework turns it into FAILED with
 * the message); a spec that fails ProvisioningSpec throws ZodError.
 */
export async function reconcile(event: ProvisioningEvent, api: AccordApi): Promise<ProvisioningResult> {
  const id = event.PhysicalResourceId;
  // Delete works from the physical id alone: it is also the rollback of a Create refused for its props, and a
  // Delete that failed on the same bad props would leave the stack in ROLLBACK_FAILED / DELETE_FAILED.
  if (event.RequestType === 'Delete') return remove(api, serviceIdOf(event.ResourceProperties.Spec), id);
  const spec = ProvisioningSpec.parse(JSON.parse(event.ResourceProperties.Spec));
  await convergeService(api, spec);
  if (event.RequestType === 'Create' || !id?.startsWith('agr_')) {
    const draft = await findDraft(api, spec);
    return draft ? convergeDraft(api, spec, draft) : createAgreement(api, spec, 'created');
  }
  const got = await call(api, 'GET', `/v1/agreements/${id}`);
  if (got.status === 404 || got.body?.status === 'retired') return createAgreement(api, spec, 'recreated');
  if (got.status >= 300) throw new AccordApiError(got.status, got.body, 'GET', `/v1/agreements/${id}`);
  if (got.body.status === 'draft') return convergeDraft(api, spec, got.body);
  const keys = Object.keys(content(spec));
  if (changed(content(spec), got.body, keys).length === 0) return result(spec, got.body, 'unchanged');
  return createAgreement(api, spec, `new draft (the agreement is ${got.body.status})`);
}

/** The service id the props name, for the Delete's answer; '' when they name none (not JSON, another shape). */
function serviceIdOf(specText: string): string {
  try {
    const id = (JSON.parse(specText) as { service?: { id?: unknown } } | null)?.service?.id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

/**
 * `reconcile` with a token its caller keeps between events (the Lambda instance's life): after a rotation the kept
 * token is refused, so on a 401 `token(true)` reads it again and, when it changed, reconcile runs once more (it is
 * idempotent) instead of failing every deployment until a cold start.
 * @throws the first AccordApiError when the fresh token is the same one, and whatever reconcile throws
 */
export async function reconcileWithToken(
  event: ProvisioningEvent,
  baseUrl: string,
  token: (fresh: boolean) => Promise<string>,
): Promise<ProvisioningResult> {
  const used = await token(false);
  try {
    return await reconcile(event, { baseUrl, token: used });
  } catch (e) {
    if (!(e instanceof AccordApiError && e.status === 401)) throw e;
    const fresh = await token(true);
    if (fresh === used) throw e;
    return reconcile(event, { baseUrl, token: fresh });
  }
}

async function remove(
  api: AccordApi,
  serviceId: string,
  id: string | undefined,
): Promise<ProvisioningResult> {
  const spec = { service: { id: serviceId } };
  const none = {
    ServiceId: serviceId,
    AgreementId: id ?? '',
    AgreementStatus: 'none',
    Action: 'nothing',
  };
  // A Create that failed before an agreement existed: CloudFormation still deletes its physical id.
  if (!id?.startsWith('agr_')) return { PhysicalResourceId: id ?? 'none', Data: none };
  const path = `/v1/agreements/${id}`;
  const got = await call(api, 'GET', path);
  if (got.status === 404) return { PhysicalResourceId: id, Data: none };
  if (got.status >= 300) throw new AccordApiError(got.status, got.body, 'GET', path);
  if (!RETIRABLE.has(got.body.status)) return result(spec, got.body, `kept (${got.body.status})`);
  const a = await ok(api, 'DELETE', path, { reason: `${REASON}: stack resource deleted` }, got.body.version);
  return result(spec, a, 'retired');
}
