/**
 * Custom::Catalogue: loads the product catalogue (layers/shared/src/catalogue) into
 * ProductsTable on Create and Update. A product that already exists keeps its stock, so a
 * redeploy never refills the shelves; Delete leaves the data (the table has its own lifecycle).
 * CloudFormation waits for the answer PUT to ResponseURL, so every path answers, even on error.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { config } from '@myapp/shared/http';
import { documentClient } from '@myapp/shared/repositories';
import { CATALOGUE } from '@myapp/shared/catalogue';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const logger = new Logger();

export interface SeedResult {
  inserted: number;
  kept: number;
}

/** Puts each product only if its sku is absent (existing stock is never reset). */
export async function seedCatalogue(tableName: string): Promise<SeedResult> {
  const doc = documentClient();
  let inserted = 0;
  let kept = 0;
  for (const product of CATALOGUE) {
    try {
      await doc.send(
        new PutCommand({ TableName: tableName, Item: product, ConditionExpression: 'attribute_not_exists(sku)' }),
      );
      inserted++;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      kept++;
    }
  }
  return { inserted, kept };
}

/** PUTs the CloudFormation response document to the presigned ResponseURL (https in AWS, http locally). */
export function sendResponse(url: string, body: Record<string, unknown>): Promise<void> {
  const payload = JSON.stringify(body);
  const target = new URL(url);
  const request = target.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(payload) }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`ResponseURL answered ${res.statusCode}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('ResponseURL timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

export const handler = async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
  logger.addContext(context);
  const physicalId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : `${event.LogicalResourceId}-catalogue`;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'OK';
  let data: Record<string, unknown> = {};
  try {
    if (event.RequestType !== 'Delete') {
      const result = await seedCatalogue(config.productsTable());
      data = { ...result };
      logger.info('Catalogue seeded', { ...result, requestType: event.RequestType });
    }
  } catch (err) {
    status = 'FAILED';
    reason = `Catalogue seed failed: ${(err as Error).message}. See ${context.logStreamName}`;
    logger.error('Catalogue seed failed', err as Error);
  }
  await sendResponse(event.ResponseURL, {
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
};
