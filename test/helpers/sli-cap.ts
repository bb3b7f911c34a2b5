/** The clock, service and sample builder of the SLI-cap tests (test/unit/telemetry/sli-cap*.test.ts). */
export const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
/** A minute before NOW: inside every acceptance window. */
export const T = NOW - 60_000;
export const SVC = 'svc_payments-gateway';

/** One Accord JSON ratio sample of `sli` (of the gateway unless told), at T unless told. */
export const ratio = (sli: string, value = 1, time = T, service = SVC) => ({
  service,
  sli,
  measure: 'ratio',
  value,
  time,
});
