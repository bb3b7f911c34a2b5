/**
 * Occurrences (OpenSLO v1): good events / total events. The population is the window's events; a calendar
 * period in progress expects the events the whole period will see at the traffic seen so far, so a few bad
 * events on the 1st do not spend a month's budget.
 */

import { BUCKET_MS } from '../../rollups.js';
import { MINUTE_MS } from '../time.js';
import type { BudgetingMethodModule, MethodInput, Population } from './types.js';

export const occurrences: BudgetingMethodModule = {
  method: 'occurrences',
  population({ window: w, recent, periodIncludedMs, complete }: MethodInput): Population {
    const dataMinutes = (w.filled * BUCKET_MS) / MINUTE_MS;
    const base = recent.total > 0 ? recent : w;
    return {
      measured: { unit: 'events', good: w.good, total: w.total },
      periodTotal: { n: w.total, scale: complete || w.ms <= 0 ? [1, 1] : [periodIncludedMs, w.ms] },
      minutes: {
        budgetBase: periodIncludedMs / MINUTE_MS,
        // Equivalent downtime: the bad share of the minutes that have data, not of the whole window.
        perBadUnit: w.total > 0 ? dataMinutes / w.total : 0,
        basis: dataMinutes,
      },
      trend: {
        rate: base.total / Math.max(base.ms, 1),
        recentErrorRate: recent.total > 0 ? (recent.total - recent.good) / recent.total : null,
        errorRate: base.total > 0 ? (base.total - base.good) / base.total : 0,
      },
    };
  },
};
