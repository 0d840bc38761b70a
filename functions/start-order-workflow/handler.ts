/**
 * EventBridge target of the OrderCreated rule: starts OrderWorkflow with the order id as
 * execution name (a rule targeting the state machine directly cannot set the name). The order
 * already carries that execution's ARN, so this reads and writes no table.
 */
import { config } from '@myapp/shared/http';
import { lambdaHandler, logger, stepFunctions } from '@myapp/shared/lambda';
import { OrderCreatedEvent, startOrderWorkflow } from '@myapp/shared/workflow';

const sfn = stepFunctions(); // at init: every invocation starts an execution

export const handler = lambdaHandler(async (event: unknown) => {
  const parsed = OrderCreatedEvent.parse(event);
  logger.appendKeys({ orderId: parsed.detail.orderId });
  const result = await startOrderWorkflow(sfn, config.orderStateMachineArn(), parsed);
  logger.info(result.started ? 'workflow started' : 'workflow already started for this order', { ...result });
  return result;
});
