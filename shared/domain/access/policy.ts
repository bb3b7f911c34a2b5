/**
 * Access policy as data: which role may take which action, and over what scope.
 * The route table names one action per route; a test enumerates every route against every role.
 */

export const ROLES = [
  'admin',
  'sla-manager',
  'approver',
  'service-owner',
  'auditor',
  'viewer',
  'vendor',
] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  'service.create',
  'service.update',
  'service.read',
  'agreement.create',
  'agreement.update',
  'agreement.read',
  'agreement.submit',
  'agreement.withdraw',
  'agreement.signoff',
  'agreement.activate',
  'agreement.end',
  'agreement.retire',
  'audit.read',
  'telemetry.ingest',
  'telemetry.read',
  /** Series no mapping rule maps: they belong to no service yet, so no scoped role can be shown them. */
  'telemetry.mapping.read',
  'objective.read',
  'objective.evaluate',
  'violation.read',
  'violation.manage',
  /** Approving an exception window (time that does not count): never the provider's own service owner. */
  'exception.approve',
  /** Deciding a credit dispute: a neutral party, neither the provider's owner nor the customer's manager. */
  'dispute.resolve',
  /** Seeing workflow tasks and executions (issue 11); acting on a task also needs to be one of its assignees. */
  'task.read',
  'task.act',
] as const;
export type Action = (typeof ACTIONS)[number];

/** What part of the portfolio a grant reaches. */
export type Scope =
  | 'all' // every business unit
  | 'business-units' // the business units in the principal's claims
  | 'services' // the services in the principal's claims
  | 'own-vendor'; // the vendor identity the API key maps to

export interface Grant {
  scope: Scope;
  actions: readonly Action[];
}

const READ: readonly Action[] = ['service.read', 'agreement.read', 'objective.read', 'violation.read'];

export const PERMISSIONS: Readonly<Record<Role, Grant>> = {
  admin: { scope: 'all', actions: ACTIONS.filter((a) => a !== 'telemetry.ingest') },
  'sla-manager': {
    scope: 'business-units',
    actions: [
      ...READ,
      'service.create',
      'service.update',
      'agreement.create',
      'agreement.update',
      'agreement.submit',
      'agreement.withdraw',
      'agreement.activate',
      'agreement.end',
      'agreement.retire',
      'audit.read',
      'telemetry.read',
      'objective.evaluate',
      'violation.manage',
      'exception.approve',
      'task.read',
      'task.act',
    ],
  },
  approver: {
    scope: 'all',
    actions: [
      ...READ,
      'agreement.signoff',
      'audit.read',
      'exception.approve',
      'dispute.resolve',
      'task.read',
      'task.act',
    ],
  },
  'service-owner': {
    scope: 'services',
    actions: [
      ...READ,
      'service.update',
      'agreement.signoff',
      'telemetry.read',
      'violation.manage',
      'task.read',
      'task.act',
    ],
  },
  auditor: {
    scope: 'all',
    actions: [...READ, 'audit.read', 'telemetry.read', 'telemetry.mapping.read', 'task.read'],
  },
  viewer: { scope: 'business-units', actions: [...READ, 'task.read'] },
  vendor: { scope: 'own-vendor', actions: ['telemetry.ingest'] },
};

/** An authenticated caller, from a Cognito (or local) token or from the vendor authorizer. */
export interface Principal {
  subject: string;
  email?: string;
  roles: Role[];
  businessUnits: string[];
  services: string[];
  /** Sign-off capacities an approver holds, such as legal or procurement. */
  signOffCapacities: string[];
  vendorId?: string;
}

/** The grants through which a principal may take an action; empty when none does. */
export function grantsFor(principal: Principal, action: Action): Grant[] {
  return principal.roles.map((r) => PERMISSIONS[r]).filter((g) => g.actions.includes(action));
}

export function isAllowed(principal: Principal, action: Action): boolean {
  return grantsFor(principal, action).length > 0;
}

/** A thing in the portfolio, located by its business unit and (optionally) service. */
export interface Located {
  businessUnit: string;
  serviceId?: string;
}

/** Whether a principal may take an action on one located thing. */
export function canAccess(principal: Principal, action: Action, target: Located): boolean {
  return grantsFor(principal, action).some((g) => covers(principal, g.scope, target));
}

function covers(p: Principal, scope: Scope, target: Located): boolean {
  switch (scope) {
    case 'all':
      return true;
    case 'business-units':
      return p.businessUnits.includes(target.businessUnit);
    case 'services':
      return target.serviceId !== undefined && p.services.includes(target.serviceId);
    case 'own-vendor':
      return false;
  }
}

/** The filter a list must apply for this principal: everything, or the union of its business units and services. */
export type ListScope = { all: true } | { all: false; businessUnits: string[]; serviceIds: string[] };

export function listScope(principal: Principal, action: Action): ListScope {
  const grants = grantsFor(principal, action);
  if (grants.some((g) => g.scope === 'all')) return { all: true };
  const businessUnits = grants.some((g) => g.scope === 'business-units') ? [...principal.businessUnits] : [];
  const serviceIds = grants.some((g) => g.scope === 'services') ? [...principal.services] : [];
  return { all: false, businessUnits, serviceIds };
}
