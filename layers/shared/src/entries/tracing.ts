/** @myapp/shared/tracing: Powertools' Tracer (X-Ray), required by the lambda entry only where tracing is on. */
export * from '../tracing';
