/**
 * Timeslices (OpenSLO v1): good slices / slices. A slice of the agreement's local calendar is good when its
 * own ratio meets the slice target; empty slices count as the objective's `emptySlices` says.
 */
import { slicePopulation } from './slice-counts.js';
import type { BudgetingMethodModule } from './types.js';

export const timeslices: BudgetingMethodModule = {
  method: 'timeslices',
  population: (input) => slicePopulation(input, (c) => c.good),
};
