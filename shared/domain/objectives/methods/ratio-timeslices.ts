/**
 * Ratio timeslices (OpenSLO v1): the mean of the slices' own ratios. Each slice weighs its ratio (a slice
 * at 0.96 is 0.96 good and 0.04 bad), so the budget is spent by the slices' shortfalls.
 */
import { slicePopulation } from './slice-counts.js';
import type { BudgetingMethodModule } from './types.js';

export const ratioTimeslices: BudgetingMethodModule = {
  method: 'ratio-timeslices',
  population: (input) => slicePopulation(input, (c) => c.ratioSum),
};
