/**
 * Access policy as data: which role may take which action, and over what scope.
 * The route table names one action per route; a test enumerates every route against every role.
 */

import type { FieldProblem } from '../errors.js';

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
  /** Requesting an exception window (time that does not count): the provider's side. */
  'exception.request',
  /** Approving or rejecting a requested exception window: never the requester nor the provider's unit. */
  'exception.approve',
  /** Revoking an exception window (soft, audited): the provider that requested it or whoever may approve. */
  'exception.revoke',
  /** Deciding a credit dispute: a neutral party, neither the provider's owner nor the customer's manager. */
  'dispute.resolve',
  /** Monitoring vendors: create, bind to services, rotate and revoke their API keys (admins only). */
  'vendor.manage',
  /** Monitoring vendors and what they are bound to (never their keys). */
  'vendor.read',
  /** On-demand reports: scoped exactly as the objectives and violations they are built from. */
  'report.read',
  /** Publishing a report now (archived, then delivered), for the caller's scope. */
  'report.publish',
  /** The WORM archive: list, download, verify, and read its access log (every retrieval is logged). */
  'archive.read',
  /** Seeing workflow tasks and executions (issue 11); acting on a task also needs to be one of its assignees. */
  'task.read',
  'task.act',
  /** Asking for a change to an active agreement (issue 11 item 4): a party's viewer or SLA manager. */
  'change.request',
  /** Withdrawing a change request one asked for oneself (the use case checks it is the requester's). */
  'change.withdraw',
  /** Withdrawing anyone's change request (admins). */
  'change.withdraw.any',
  /**
   * Scraping GET /metrics: Accord's own health and every objective's figures across the portfolio, so only roles
   * that read everything (admin, auditor); Prometheus scrapes with such a person's or service account's Bearer token.
   */
  'metrics.read',
  /** Importing history older than the ingest lateness limit from a file (issue 14 item 3): admins only, audited. */
  'telemetry.backfill',
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

const READ: readonly Action[] = [
  'service.read',
  'agreement.read',
  'objective.read',
  'violation.read',
  'report.read',
];

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
      'exception.request',
      'exception.approve',
      'exception.revoke',
      'report.publish',
      'task.read',
      'task.act',
      'change.request',
      'change.withdraw',
    ],
  },
  approver: {
    scope: 'all',
    actions: [
      ...READ,
      'agreement.signoff',
      'audit.read',
      'exception.approve',
      'exception.revoke',
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
      'exception.request',
      'exception.revoke',
      'task.read',
      'task.act',
    ],
  },
  auditor: {
    scope: 'all',
    actions: [
      ...READ,
      'audit.read',
      'telemetry.read',
      'telemetry.mapping.read',
      'vendor.read',
      'archive.read',
      'task.read',
      'metrics.read',
    ],
  },
  viewer: { scope: 'business-units', actions: [...READ, 'task.read', 'change.request', 'change.withdraw'] },
  vendor: { scope: 'own-vendor', actions: ['telemetry.ingest'] },
};

/**
 * Actions a business unit may take on an agreement it is a party to (provider or customer) without holding it:
 * customers see what they consume. Everything else needs the owning unit (for agreements: the service's unit).
 */
export const PARTY_ACTIONS: readonly Action[] = [
  'agreement.read',
  'objective.read',
  'violation.read',
  // Reports are made of the agreements, objectives and violations above: a customer's report holds the SLAs its
  // unit consumes, which another unit provides (red team, wave 32: a viewer's customer report held only its own).
  'report.read',
  'exception.approve',
  'change.request',
  'change.withdraw',
];

/** An authenticated caller, from a Cognito (or local) token or from the vendor authorizer. */
export interface Principal {
  /** The stable identifier of the person (the token's `sub`) or machine (`vendor:<id>`). */
  subject: string;
  /** Lower-cased, for display and for matching records written before subjects were used. */
  email?: string;
  /** When the token that authenticated the request expires (seconds since the epoch). */
  expiresAt?: number;
  roles: Role[];
  businessUnits: string[];
  services: string[];
  /** Sign-off capacities an approver holds, such as legal or procurement. */
  signOffCapacities: string[];
  vendorId?: string;
  /** The id of the API key a vendor authenticated with (not the key): revocation is checked against it. */
  vendorKeyId?: string;
}

/** The grants through which a principal may take an action; empty when none does. */
export function grantsFor(principal: Principal, action: Action): Grant[] {
  return principal.roles.map((r) => PERMISSIONS[r]).filter((g) => g.actions.includes(action));
}

/** The roles whose grants include `action`, in the matrix's order (`ROLES`); empty when no role may take it. */
export function rolesAllowing(action: Action): Role[] {
  return ROLES.filter((r) => PERMISSIONS[r].actions.includes(action));
}

/**
 * The detail of a 403 from the role matrix: path `roles`, the caller's roles and the roles that would allow `action`.
 * Names no object, so it is safe to answer whoever asked.
 */
export function roleProblem(principal: Principal, action: Action): FieldProblem {
  const allowing = rolesAllowing(action);
  return {
    path: 'roles',
    problem: `${principal.roles.join(', ') || 'no role'}: none allows ${action}${allowing.length ? ` (roles that do: ${allowing.join(', ')})` : ''}`,
  };
}

/**
 * The detail of a 403 from the caller's scope: path `businessUnits`, the caller's own business units (and services)
 * for `action`. It never names the object's unit or service, which the caller may not know (the permission matrix
 * test checks that no refusal names another unit).
 */
export function scopeProblem(principal: Principal, action: Action): FieldProblem {
  const units = principal.businessUnits.join(', ') || 'none';
  const services = principal.services.length ? `; services: ${principal.services.join(', ')}` : '';
  return {
    path: 'businessUnits',
    problem: `this object is outside your scope for ${action} (your business units: ${units}${services})`,
  };
}

/** Why `canAccess` said no: the role matrix (`roleProblem`) when no role allows `action`, else the scope. */
export function accessProblem(principal: Principal, action: Action): FieldProblem {
  return isAllowed(principal, action) ? scopeProblem(principal, action) : roleProblem(principal, action);
}

export function isAllowed(principal: Principal, action: Action): boolean {
  return grantsFor(principal, action).length > 0;
}

/** A thing in the portfolio, located by its business unit and (optionally) service and parties. */
export interface Located {
  businessUnit: string;
  serviceId?: string;
  /** The business units that are parties to it (an agreement's provider and customer), when it has parties. */
  partyUnits?: readonly string[];
}

/** Whether a principal may take an action on one located thing. */
export function canAccess(principal: Principal, action: Action, target: Located): boolean {
  return grantsFor(principal, action).some((g) => covers(principal, g.scope, target, action));
}

function covers(p: Principal, scope: Scope, target: Located, action: Action): boolean {
  switch (scope) {
    case 'all':
      return true;
    case 'business-units':
      return (
        p.businessUnits.includes(target.businessUnit) ||
        // Stryker disable next-line ArrayDeclaration: a thing without parties has none; a placeholder element in the fallback list is seen only by a unit bearing that very placeholder name
        (PARTY_ACTIONS.includes(action) && (target.partyUnits ?? []).some((u) => p.businessUnits.includes(u)))
      );
    case 'services':
      return target.serviceId !== undefined && p.services.includes(target.serviceId);
    case 'own-vendor':
      return false;
  }
}

/**
 * The filter a list must apply for this principal: everything, or the union of what its business units hold,
 * its services, and (for PARTY_ACTIONS) what its business units are a party to.
 */
export type ListScope =
  | { all: true }
  | { all: false; businessUnits: string[]; serviceIds: string[]; partyUnits?: string[] };

export function listScope(principal: Principal, action: Action): ListScope {
  const grants = grantsFor(principal, action);
  if (grants.some((g) => g.scope === 'all')) return { all: true };
  const byUnit = grants.some((g) => g.scope === 'business-units');
  const businessUnits = byUnit ? [...principal.businessUnits] : [];
  const serviceIds = grants.some((g) => g.scope === 'services') ? [...principal.services] : [];
  const partyUnits = byUnit && PARTY_ACTIONS.includes(action) ? [...principal.businessUnits] : [];
  return { all: false, businessUnits, serviceIds, ...(partyUnits.length ? { partyUnits } : {}) };
}

/** The business units that are parties to an agreement (provider, customer), in that order, without repeats. */
export function partyUnitsOf(parties: {
  provider: { type: string; businessUnit?: string };
  customer: { type: string; businessUnit?: string };
}): string[] {
  const units = [parties.provider, parties.customer].flatMap((p) =>
    p.type === 'business-unit' && p.businessUnit ? [p.businessUnit] : [],
  );
  return [...new Set(units)];
}
