import { BreachAnalysisView, ChainGraph, GapReport } from '../../schemas/chain.js';
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
];
