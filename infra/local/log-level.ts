/**
 * The log level of `npm start`, settled before anything builds the logger: imported first by main.ts, for its effect.
 * Powertools' Logger reads POWERTOOLS_LOG_LEVEL when it is constructed and returns to that level at each invocation,
 * so the default must be in the environment before shared/runtime/powertools.ts loads.
 *
 * Quiet by default: WARN (failures only). INFO adds one JSON line per write and per refused request; DEBUG more.
 */
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];
const asked = process.env.POWERTOOLS_LOG_LEVEL;
const level = (asked || 'WARN').toUpperCase();
if (!LEVELS.includes(level)) {
  console.error(`POWERTOOLS_LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR or SILENT, got "${asked}"`);
  process.exit(2);
}
process.env.POWERTOOLS_LOG_LEVEL = level;
