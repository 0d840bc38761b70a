/** @myapp/shared/workflow: starting OrderWorkflow (OrderCreated, admin retry) and reading an execution; Step Functions is loaded with its client, on first use. */
export * from '../pipeline/start';
export * from '../pipeline/executions';
