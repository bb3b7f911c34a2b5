import { setFlagsFromString } from 'node:v8';

/**
 * V8's heap growing factor for `npm start`, in percent: after a full garbage collection the next one starts once
 * the old generation has grown by this much over what survived (`--heap-growing-percent`; V8 otherwise picks a
 * factor of up to 4 on a machine with memory to spare).
 *
 * Why (docs/telemetry.md, "Memory"): under the ingest benchmark the server's live heap is about 43 MB (a heap
 * snapshot, taken after a full collection, at 600,000 samples), yet the old generation reached 130-170 MB: request
 * objects that outlive two scavenges while their request waits on the transaction are promoted, and with a factor
 * of 4 they pile up as garbage until the limit. With 50 % the peak RSS of the 1,000,000-sample run fell from 283 to
 * 184 MB (Prometheus's receiver: 146 and 153 MB in those runs) at no CPU cost visible through the machine's noise
 * (21.3 against 20.4 us a sample).
 *
 * It is not a cap: the heap limit (`--max-old-space-size`) stays V8's default, so a larger live set (a bigger
 * portfolio, a burst of requests) makes the heap grow with it, and the server cannot run out of heap because of
 * this setting; it only collects sooner. A `--heap-growing-percent` given to node itself wins.
 */
export const HEAP_GROWING_PERCENT = 50;

if (
  !process.execArgv.some(
    (a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'),
  )
)
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
