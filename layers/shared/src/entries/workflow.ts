/** @myapp/shared/workflow: starting OrderWorkflow for an OrderCreated event (@aws-sdk/client-sfn). */
export * from '../pipeline/start';
