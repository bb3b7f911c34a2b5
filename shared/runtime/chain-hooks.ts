import type { ViolationRecord } from '../ports/objectives.js';
import type { ChainUseCases } from '../usecases/chain/index.js';
import { logger } from './powertools.js';

/**
 * The chain's pass-through when credits become final (docs/chain.md), as both composition roots wire it into the
 * objectives' `onCreditsFinal`: claims stored are logged; a violation whose claims could not be computed is logged
 * and left without them, and the next hourly finalisation hands it over again.
 */
export async function passThroughFinal(
  chain: Pick<ChainUseCases, 'passThroughFinalCredits'>,
  final: readonly ViolationRecord[],
): Promise<void> {
  const { stored, failed } = await chain.passThroughFinalCredits(final);
  if (stored.length > 0) logger.info('pass-through claims stored', { violations: stored });
  for (const f of failed) logger.error('pass-through claims not computed', { ...f });
}
