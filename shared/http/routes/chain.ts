import { z } from 'zod';
import {
  BreachAnalysisView,
  ChainGraph,
  GapReport,
  PassThroughBody,
  RecordReviewBody,
  ServiceReviewView,
  VendorScorecardView,
  VendorTriggersBody,
  VendorTriggersResponse,
} from '../../schemas/chain.js';
import { ViolationSchema } from '../../schemas/objectives.js';
import type { RouteSpec } from '../routes.js';

/** Routes of the underpinning chain (issue 13); spread into ROUTES. */
export const CHAIN_ROUTES: readonly RouteSpec[] = [
  {
    id: 'chain.graph',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/chain',
    auth: 'user',
    action: 'agreement.read',
    handler: 'chain/graph',
    summary:
      'The underpinning chain around an agreement at any depth (what it rests on, what rests on it), each edge naming the objective it supports and how; what lies outside your scope is counted, not named',
    response: ChainGraph,
  },
  {
    id: 'chain.gaps',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/gaps',
    auth: 'user',
    action: 'agreement.read',
    handler: 'chain/gaps',
    summary:
      'Coverage gaps of an agreement and the chain under it: availability composition, time along the path, supported hours, incomparable windows, unsupported objectives',
    response: GapReport,
  },
  {
    id: 'chain.portfolio-gaps',
    method: 'GET',
    path: '/v1/chain/gaps',
    auth: 'user',
    action: 'agreement.read',
    handler: 'chain/portfolio-gaps',
    summary:
      'Coverage gaps across the portfolio you may see, and the active OLAs and UCs that underpin nothing active',
    response: GapReport,
  },
  {
    id: 'chain.breach',
    method: 'GET',
    path: '/v1/violations/{violationId}/chain',
    auth: 'user',
    action: 'violation.read',
    handler: 'chain/breach',
    summary:
      'Breach analysis through the chain: the underpinning objectives that were also failing in the breached period, with their figures and overlap, ranked (the starting point of the RCA)',
    response: BreachAnalysisView,
  },
  {
    id: 'chain.vendor-scorecard',
    method: 'GET',
    path: '/v1/chain/vendors/{vendorId}/scorecard',
    auth: 'user',
    action: 'agreement.read',
    handler: 'chain/vendor-scorecard',
    summary:
      "A vendor's scorecard across the UCs it provides that you may read: compliance per month, misses in a row, credits owed to us, the triggers that fire",
    response: VendorScorecardView,
  },
  {
    id: 'chain.vendor-triggers',
    method: 'POST',
    path: '/v1/chain/vendors/{vendorId}/triggers',
    auth: 'user',
    action: 'violation.manage',
    handler: 'chain/vendor-triggers',
    summary:
      "Open the remediation or renegotiation task of every trigger that fires on a vendor's scorecard (policy as data), for the UCs you manage; idempotent per trigger, UC objective and month",
    body: VendorTriggersBody,
    response: VendorTriggersResponse,
  },
  {
    id: 'chain.pass-through',
    method: 'POST',
    path: '/v1/violations/{violationId}/pass-through',
    auth: 'user',
    action: 'violation.manage',
    handler: 'chain/pass-through',
    summary:
      "Compute and store the pass-through claims of a violation's final credit against the underpinning parties whose breaches contributed, per indemnification clause with caps, every step kept (idempotent)",
    body: PassThroughBody,
    response: ViolationSchema,
  },
  {
    id: 'chain.reviews.record',
    method: 'POST',
    path: '/v1/agreements/{agreementId}/reviews',
    auth: 'user',
    action: 'agreement.update',
    handler: 'chain/review-record',
    summary:
      'Record a joint service review of an OLA or UC (date, attendees, findings, actions with owners and deadlines); each action becomes a task',
    body: RecordReviewBody,
    response: ServiceReviewView,
    successStatus: 201,
  },
  {
    id: 'chain.reviews.list',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/reviews',
    auth: 'user',
    action: 'agreement.read',
    handler: 'chain/review-list',
    summary: 'The joint service reviews of an agreement, the latest first',
    response: z.object({ items: z.array(ServiceReviewView) }),
  },
];
