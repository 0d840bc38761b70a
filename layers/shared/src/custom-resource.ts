/**
 * A CloudFormation custom resource's handler: lambdaHandler, then the answer PUT to the
 * presigned ResponseURL on every path, errors included (CloudFormation waits for it; without
 * one a stack operation hangs for an hour). `fn` returns the resource's Data.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { lambdaHandler, type LambdaHandler } from './lambda';
import { logger } from './observability';

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

export function customResourceHandler(
  fn: (event: CloudFormationCustomResourceEvent, context: Context) => Promise<Record<string, unknown>>,
): LambdaHandler<CloudFormationCustomResourceEvent, void> {
  return lambdaHandler(async (event: CloudFormationCustomResourceEvent, context: Context) => {
    // Created once per stack: its logical id names it; later events carry the id it was given.
    const physicalId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : event.LogicalResourceId;
    let outcome: { Status: 'SUCCESS' | 'FAILED'; Reason: string; Data: Record<string, unknown> };
    try {
      outcome = { Status: 'SUCCESS', Reason: 'OK', Data: await fn(event, context) };
    } catch (err) {
      logger.error(`Custom resource ${event.RequestType} failed`, err as Error);
      outcome = { Status: 'FAILED', Reason: `${(err as Error).message}. See ${context.logStreamName}`, Data: {} };
    }
    await sendResponse(event.ResponseURL, {
      ...outcome,
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    });
  });
}
