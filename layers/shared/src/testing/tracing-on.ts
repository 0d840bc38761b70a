/**
 * Imported first by tests that exercise the Tracer (tests/setup-env.js turns it off for the
 * rest): observability.ts reads this when it is first loaded.
 */
process.env.POWERTOOLS_TRACE_ENABLED = 'true';
