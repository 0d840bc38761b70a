/** @myapp/shared/lambda: the shape of every function (lambdaHandler: middy with Powertools' Logger, Metrics, Tracer), those three, and the AWS SDK clients (created once, SDKs loaded on first use). */
export * from '../observability';
export * from '../lambda';
export * from '../clients';
