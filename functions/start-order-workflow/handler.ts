/**
 * EventBridge target of the OrderCreated rule: starts OrderWorkflow with the order id as
 * execution name (a rule targeting the state machine directly cannot set the name).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { config } from '@myapp/shared/http';
import { DynamoOrdersRepository, documentClient } from '@myapp/shared/repositories';
import { OrderCreatedEvent, startOrderWorkflow } from '@myapp/shared/workflow';
import type { Context } from 'aws-lambda';

const logger = new Logger();
const tracer = new Tracer();
const sfn = tracer.captureAWSv3Client(new SFNClient({}));

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const parsed = OrderCreatedEvent.parse(event);
  logger.appendKeys({ orderId: parsed.detail.orderId });
  const orders = new DynamoOrdersRepository(documentClient(tracer.captureAWSv3Client(new DynamoDBClient({}))), config.ordersTable());
  const result = await startOrderWorkflow(sfn, orders, config.orderStateMachineArn(), parsed);
  logger.info(result.started ? 'workflow started' : 'workflow already started for this order', { ...result });
  return result;
};
