/**
 * The AWS SDK v3 as the layer ships it: the commands the layer uses (and Powertools'
 * idempotency store), bundled tree-shaken from the SDK's ES modules into one file, the
 * `@myapp/shared/aws-sdk` entry, with one copy of the SDK core for DynamoDB, EventBridge and
 * Step Functions. layers/shared/build.js turns every `@aws-sdk/<package>` import of the
 * other entries into a read of the matching object below, so the layer's source keeps
 * importing the SDK's packages (and tests mock those), while the built layer never loads the
 * runtime's SDK. Why bundled: see build.js (measured: a third of the cold start is gone).
 * A name missing here fails the layer's build (esbuild: no matching export).
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

/** Package name → the values the layer takes from it (GetItem/PutItem/UpdateItem/DeleteItem: Powertools' idempotency store). */
export const AWS_SDK = {
  '@aws-sdk/client-dynamodb': {
    ConditionalCheckFailedException,
    DeleteItemCommand,
    DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    TransactionCanceledException,
    UpdateItemCommand,
  },
  '@aws-sdk/lib-dynamodb': {
    BatchGetCommand,
    BatchWriteCommand,
    DeleteCommand,
    DynamoDBDocumentClient,
    GetCommand,
    PutCommand,
    QueryCommand,
    ScanCommand,
    TransactWriteCommand,
    UpdateCommand,
  },
  '@aws-sdk/util-dynamodb': { marshall, unmarshall },
  '@aws-sdk/client-eventbridge': { EventBridgeClient, PutEventsCommand },
  '@aws-sdk/client-sfn': {
    DescribeExecutionCommand,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    GetExecutionHistoryCommand,
    SFNClient,
    StartExecutionCommand,
  },
};
