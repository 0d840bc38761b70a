/** What the protocols share: the error a client sees, and how a protocol reads and answers. */
import type { IncomingMessage } from 'node:http';

/** An error the client sees: its code (`__type` / `<Code>`), message and HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** How one protocol reads a request and writes answers. */
export interface WireProtocol {
  /** The operation ('' when the request names none) and its input; throws AwsError on a malformed body. */
  parse(req: IncomingMessage, body: string): { operation: string; input: Record<string, unknown> };
  result(operation: string, output: unknown, requestId: string): Answer;
  error(e: AwsError, requestId: string): Answer;
}

export interface Answer {
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

/**
 * A string member of a request, as an operation reads it: absent (or null) is '' and each
 * operation says whether it may be; a number or boolean is taken as its text; an object or a
 * list is the client's mistake, answered as AWS's JSON services answer a value of the wrong
 * shape (SerializationException, 400), never read as "[object Object]".
 */
export function stringMember(input: Readonly<Record<string, unknown>>, name: string): string {
  const value = input[name];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new AwsError('SerializationException', `${name}: expected a string, got ${Array.isArray(value) ? 'a list' : 'an object'}`);
}
