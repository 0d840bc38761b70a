/** @myapp/shared/events: domain events from stream records, publishEvent (@aws-sdk/client-eventbridge) and the stream processors' handler (Powertools batch). */
export * from '../pipeline/stream-events';
export * from '../pipeline/stream-handler';
