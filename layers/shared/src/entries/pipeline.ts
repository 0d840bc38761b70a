/** @myapp/shared/pipeline: the workflow's task steps, taskHandler, the simulated payment provider (DynamoDB only, no zod). */
export * from '../pipeline/errors';
export * from '../pipeline/payment';
export * from '../pipeline/input';
export * from '../pipeline/tasks';
export * from '../pipeline/task-handler';
