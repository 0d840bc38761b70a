/** @myapp/shared/events: domain events from stream records and publishEvent (@aws-sdk/client-eventbridge). */
export * from '../pipeline/stream-events';
