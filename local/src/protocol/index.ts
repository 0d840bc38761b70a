/**
 * The AWS wire protocols the local endpoints speak, written once: a service gives an
 * operation table (operation name → handler) and a protocol (awsJson for SQS, EventBridge,
 * Step Functions, Cognito, CloudWatch Logs; awsQuery for CloudFormation); this server reads
 * the request, dispatches it, and answers with a request id. An AwsError is answered with
 * its code and status; anything else thrown is a 500 with the service's internal code.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { AwsError, type Answer, type WireProtocol } from './wire';

export { awsJson } from './json';
export { awsQuery, decodeQuery, toXml } from './query';
export { AwsError, stringMember, type Answer, type WireProtocol } from './wire';

export type Operation = (input: Record<string, unknown>, req: IncomingMessage) => unknown;
export type Operations = Readonly<Record<string, Operation>>;

export interface AwsServiceOptions {
  protocol: WireProtocol;
  operations: Operations;
  /** The error for an operation the table lacks (default UnknownOperationException, 400). */
  unknownOperation?: (operation: string) => AwsError;
  /** The code of an unexpected failure (default InternalFailure). */
  internalErrorCode?: string;
  /** Headers on every answer (e.g. CORS). */
  headers?: (req: IncomingMessage) => Record<string, string>;
  /** Requests outside the protocol (OPTIONS, GET well-known paths): true when answered. */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /** Unexpected failures are logged here. */
  log?: (message: string) => void;
  bodyLimit?: number;
}

/** Reads a request body, bounded in size (413 beyond it). */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AwsError('RequestEntityTooLarge', `Request body larger than ${limit} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: ServerResponse, status: number, a: Answer, requestId: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': a.contentType, 'x-amzn-requestid': requestId, ...headers, ...a.headers });
  res.end(a.body);
}

async function serve(o: AwsServiceOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const headers = o.headers?.(req) ?? {};
  try {
    if (o.routes && (await o.routes(req, res))) return;
    const { operation, input } = o.protocol.parse(req, await readBody(req, o.bodyLimit));
    const handler = Object.hasOwn(o.operations, operation) ? o.operations[operation] : undefined;
    if (!handler)
      throw o.unknownOperation?.(operation) ?? new AwsError('UnknownOperationException', `Unsupported operation '${operation}'`);
    answer(res, 200, o.protocol.result(operation, (await handler(input, req)) ?? {}, requestId), requestId, headers);
  } catch (err) {
    const e = err instanceof AwsError ? err : new AwsError(o.internalErrorCode ?? 'InternalFailure', (err as Error).message, 500);
    if (!(err instanceof AwsError)) o.log?.(`${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
    if (res.headersSent) return void res.end();
    answer(res, e.status, o.protocol.error(e, requestId), requestId, { ...headers, ...e.headers });
  }
}

/** A request listener for `http.createServer` serving one AWS service. */
export function awsService(o: AwsServiceOptions): RequestListener {
  return (req, res) => void serve(o, req, res);
}
