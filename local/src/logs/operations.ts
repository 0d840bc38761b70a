/**
 * The CloudWatch Logs operations the seeds' scripts and `aws logs` use, over the store:
 * DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents, with AWS's
 * parameters, paging tokens and errors.
 */
import { AwsError, stringMember, type Operations } from '../protocol';
import { compileFilterPattern } from './filter-pattern';
import type { LogGroup, LogStore, StoredEvent } from './store';

type Input = Record<string, unknown>;

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

/** An integer parameter within AWS's bounds (the service model's), or its default. */
function intParam(input: Input, name: string, min: number, max: number, fallback: number): number {
  const v = input[name];
  if (v === undefined || v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalid(
      `1 validation error detected: Value '${stringMember(input, name)}' at '${name}' failed to satisfy constraint: Member must have value ${n < min ? 'greater' : 'less'} than or equal to ${n < min ? min : max}`,
    );
  }
  return n;
}

const optionalNumber = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));

/** Opaque paging tokens: a cursor as base64url JSON; a token that does not decode is refused as AWS does. */
const encodeToken = (cursor: unknown) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
function decodeToken<T>(token: unknown): T | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  try {
    return JSON.parse(Buffer.from(typeof token === 'string' ? token : '', 'base64url').toString('utf8')) as T;
  } catch {
    throw invalid('The specified nextToken is invalid.');
  }
}

export interface LogsContext {
  store: LogStore;
  region: string;
  accountId: string;
}

const groupArn = (c: LogsContext, name: string) => `arn:aws:logs:${c.region}:${c.accountId}:log-group:${name}`;

/** logGroupName or logGroupIdentifier (a name or an ARN); ResourceNotFoundException when absent. */
function groupOf(c: LogsContext, input: Input): LogGroup {
  const id = input.logGroupIdentifier ?? input.logGroupName;
  if (input.logGroupIdentifier !== undefined && input.logGroupName !== undefined)
    throw invalid('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  if (typeof id !== 'string' || !id) throw invalid('Either logGroupName or logGroupIdentifier must be specified.');
  const name = id.startsWith('arn:') ? id.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, '') : id;
  const g = c.store.groups.get(name);
  if (!g) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  return g;
}

function describeLogGroups(c: LogsContext, input: Input) {
  const prefix = typeof input.logGroupNamePrefix === 'string' ? input.logGroupNamePrefix : undefined;
  const pattern = typeof input.logGroupNamePattern === 'string' ? input.logGroupNamePattern.toLowerCase() : undefined;
  if (prefix !== undefined && pattern !== undefined)
    throw invalid('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  const limit = intParam(input, 'limit', 1, 50, 50);
  const after = decodeToken<string>(input.nextToken);
  const names = [...c.store.groups.keys()]
    .filter(
      (n) =>
        (prefix === undefined || n.startsWith(prefix)) &&
        (pattern === undefined || n.toLowerCase().includes(pattern)) &&
        (after === undefined || n > after),
    )
    .sort();
  const page = names.slice(0, limit).map((n) => c.store.groups.get(n)!);
  return {
    logGroups: page.map((g) => ({
      logGroupName: g.name,
      creationTime: g.creationTime,
      ...(g.retentionInDays ? { retentionInDays: g.retentionInDays } : {}),
      metricFilterCount: 0,
      arn: `${groupArn(c, g.name)}:*`,
      storedBytes: g.bytes,
      logGroupClass: 'STANDARD',
      logGroupArn: groupArn(c, g.name),
    })),
    ...(names.length > limit ? { nextToken: encodeToken(page[page.length - 1]!.name) } : {}),
  };
}

function describeLogStreams(c: LogsContext, input: Input) {
  const g = groupOf(c, input);
  const prefix = typeof input.logStreamNamePrefix === 'string' ? input.logStreamNamePrefix : undefined;
  const byTime = input.orderBy === 'LastEventTime';
  const orderBy = stringMember(input, 'orderBy');
  if (input.orderBy !== undefined && !['LogStreamName', 'LastEventTime'].includes(orderBy))
    throw invalid(
      `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`,
    );
  if (byTime && prefix !== undefined) throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
  const limit = intParam(input, 'limit', 1, 50, 50);
  const offset = decodeToken<number>(input.nextToken) ?? 0;
  const key = (s: { name: string; lastEventTimestamp?: number }) => (byTime ? String(s.lastEventTimestamp ?? 0).padStart(16, '0') : s.name);
  const streams = [...g.streams.values()]
    .filter((s) => prefix === undefined || s.name.startsWith(prefix))
    .sort((a, b) => key(a).localeCompare(key(b)));
  if (input.descending === true) streams.reverse();
  const page = streams.slice(offset, offset + limit);
  return {
    logStreams: page.map((s) => ({
      logStreamName: s.name,
      creationTime: s.creationTime,
      firstEventTimestamp: s.firstEventTimestamp,
      lastEventTimestamp: s.lastEventTimestamp,
      lastIngestionTime: s.lastIngestionTime,
      arn: `${groupArn(c, g.name)}:log-stream:${s.name}`,
      storedBytes: 0,
    })),
    ...(streams.length > offset + limit ? { nextToken: encodeToken(offset + limit) } : {}),
  };
}

const shapeEvent = (e: StoredEvent) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime });

/**
 * GetLogEvents: one stream, oldest first within a page. Without a token it reads from the end
 * (or the start with startFromHead); `f/<seq>` pages forward, `b/<seq>` back; at either end
 * the token given comes back, as AWS does.
 */
function getLogEvents(c: LogsContext, input: Input) {
  const g = groupOf(c, input);
  if (typeof input.logStreamName !== 'string' || !g.streams.has(input.logStreamName))
    throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
  const limit = intParam(input, 'limit', 1, 10_000, 10_000);
  const start = optionalNumber(input.startTime);
  const end = optionalNumber(input.endTime);
  const events = g.events.filter(
    (e) => e.logStream === input.logStreamName && (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp < end),
  );
  const token = typeof input.nextToken === 'string' ? /^([fb])\/(\d+)\/s$/.exec(input.nextToken) : undefined;
  if (input.nextToken !== undefined && !token) throw invalid('The specified nextToken is invalid.');
  let page: StoredEvent[];
  if (token?.[1] === 'f') page = events.filter((e) => e.seq > Number(token[2])).slice(0, limit);
  else if (token?.[1] === 'b') page = events.filter((e) => e.seq < Number(token[2])).slice(-limit);
  else page = input.startFromHead === true ? events.slice(0, limit) : events.slice(-limit);
  const first = page[0]?.seq ?? (token ? Number(token[2]) : 0);
  const last = page[page.length - 1]?.seq ?? (token ? Number(token[2]) : 0);
  return { events: page.map(shapeEvent), nextForwardToken: `f/${last}/s`, nextBackwardToken: `b/${first}/s` };
}

/** FilterLogEvents: every stream of a group (or those named), by time across streams, paged by the last event's position. */
function filterLogEvents(c: LogsContext, input: Input) {
  const g = groupOf(c, input);
  const names = Array.isArray(input.logStreamNames) ? input.logStreamNames.map(String) : undefined;
  const prefix = typeof input.logStreamNamePrefix === 'string' ? input.logStreamNamePrefix : undefined;
  if (names && prefix !== undefined) throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
  const limit = intParam(input, 'limit', 1, 10_000, 10_000);
  const start = optionalNumber(input.startTime);
  const end = optionalNumber(input.endTime);
  const matches = compileFilterPattern(typeof input.filterPattern === 'string' ? input.filterPattern : undefined);
  const after = decodeToken<[number, number]>(input.nextToken);
  const inStreams = (e: StoredEvent) => (names ? names.includes(e.logStream) : prefix === undefined || e.logStream.startsWith(prefix));
  const ordered = g.events
    .filter((e) => inStreams(e) && (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp <= end))
    .sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq)
    .filter((e) => !after || e.timestamp > after[0] || (e.timestamp === after[0] && e.seq > after[1]));
  const page: StoredEvent[] = [];
  let more = false;
  for (const e of ordered) {
    if (!matches(e.message)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(e);
  }
  const searched = [...g.streams.keys()].filter((s) => (names ? names.includes(s) : prefix === undefined || s.startsWith(prefix)));
  const lastOf = page[page.length - 1];
  return {
    events: page.map((e) => ({
      logStreamName: e.logStream,
      ...shapeEvent(e),
      eventId: `${e.timestamp}${String(e.seq).padStart(20, '0')}`,
    })),
    searchedLogStreams: searched.map((logStreamName) => ({ logStreamName, searchedCompletely: !more })),
    ...(more && lastOf ? { nextToken: encodeToken([lastOf.timestamp, lastOf.seq]) } : {}),
  };
}

export function logsOperations(c: LogsContext): Operations {
  return {
    DescribeLogGroups: (input) => describeLogGroups(c, input),
    DescribeLogStreams: (input) => describeLogStreams(c, input),
    GetLogEvents: (input) => getLogEvents(c, input),
    FilterLogEvents: (input) => filterLogEvents(c, input),
  };
}
