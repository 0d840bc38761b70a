/**
 * EventBridge rule targets (part of the EventBridge module, eventbridge.ts): what a target
 * receives (the event, or Input / InputPath / InputTransformer as the user guide's "Amazon
 * EventBridge input transformation" describes it), the checks PutTargets makes, and
 * delivery to Lambda (asynchronous invoke), Step Functions (StartExecution) and SQS, with
 * the target's RetryPolicy (attempts only, waits shortened) and DeadLetterConfig queue; a
 * delivery the runtime's stop interrupts, or whose dead-letter queue does not take it, is kept
 * (it stays in the journal, eventbridge-journal.ts, for the next start).
 * Not emulated: other target kinds (SNS, Kinesis, API destinations, ECS, ...: accepted by
 * PutTargets, each delivery fails and goes to the target's dead-letter queue), RoleArn
 * (no authorisation), SqsParameters (no FIFO queues locally), MaximumEventAgeInSeconds.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { stringify } from 'lossless-json';
import type { ServiceContext, StackContext } from '../contract';
import { clientConfig } from '../local-clients';
import { AwsError } from '../protocol';
import { JsonNumber } from './event-patterns';
import type { LocalRule, RuleTarget } from './eventbridge-rules';
import { queueUrlFromArn } from './sqs';

type JsonObject = Record<string, unknown>;

/** JSON text of a value whose numbers may be JsonNumber (their text is kept: 300.0 stays 300.0). */
export function toJson(value: unknown): string {
  return stringify(value, null, undefined, [{ test: (v) => v instanceof JsonNumber, stringify: (v) => (v as JsonNumber).text }]) ?? 'null';
}

// ---- JSONPath, the subset EventBridge documents: dot notation, dashes, underscores, array indices, wildcards ----

type Step = { key: string } | { index: number } | { all: true };
const STEP = /\.\*|\[\*\]|\.([^.[\]*]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;

/** The steps of `$`, `$.a.b`, `$.a[0]`, `$.a[*].b`, `$['a-b']`; undefined when it is not one of these. */
export function parseJsonPath(path: string): Step[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: Step[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const m = STEP.exec(path);
    if (!m) return undefined;
    const key = m[1] ?? m[3] ?? m[4];
    steps.push(key !== undefined ? { key } : m[2] !== undefined ? { index: Number(m[2]) } : { all: true });
  }
  return steps;
}

/** The value at a path (a list of the values matched once a wildcard is in it); undefined if absent. */
export function jsonPath(doc: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  if (!steps) throw new Error(`Unsupported JSONPath ${path}`);
  let values: unknown[] = [doc];
  for (const s of steps) {
    values = values.flatMap((v): unknown[] => {
      if (v === null || typeof v !== 'object') return [];
      if ('all' in s) return Array.isArray(v) ? v : Object.values(v);
      const items: readonly unknown[] | undefined = Array.isArray(v) ? v : undefined;
      const next = 'key' in s ? (items ? undefined : (v as JsonObject)[s.key]) : items?.[s.index];
      return next === undefined ? [] : [next];
    });
  }
  return steps.some((s) => 'all' in s) ? values : values[0];
}

// ---- InputTransformer ----

const PLACEHOLDERS = /<([^<>"\s]+)>/g;
/** One placeholder where the template is read (sticky; PLACEHOLDERS is only used through matchAll). */
const PLACEHOLDER_AT = /<([^<>"\s]+)>/y;
const PREDEFINED = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.ingestion-time',
  'aws.events.event.json',
];

/**
 * A value as it goes into the template. Inside a JSON string the text goes in as it is
 * (EventBridge does not escape it), an object or array with its quotes removed; elsewhere a
 * string is quoted ("EventBridge automatically adds quotes to string variable values"), the
 * rest is JSON. A path the event lacks gives an empty string inside quotes, null elsewhere.
 */
function renderValue(v: unknown, inString: boolean): string {
  if (v === undefined) return inString ? '' : 'null';
  if (typeof v === 'string') return inString ? v : JSON.stringify(v);
  const json = toJson(v);
  return inString && typeof v === 'object' && v !== null && !(v instanceof JsonNumber) ? json.replace(/"/g, '') : json;
}

function renderTemplate(template: string, values: Map<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      inString = !inString;
      out += c;
    } else {
      PLACEHOLDER_AT.lastIndex = i;
      const m = c === '<' ? PLACEHOLDER_AT.exec(template) : null;
      if (m && values.has(m[1]!)) {
        out += renderValue(values.get(m[1]!), inString);
        i += m[0].length - 1;
      } else out += c;
    }
  }
  return out;
}

/** The event's values the template names: its InputPathsMap and EventBridge's predefined variables. */
function transformerValues(
  tr: NonNullable<RuleTarget['InputTransformer']>,
  event: JsonObject,
  rule: Pick<LocalRule, 'name' | 'arn'>,
  ingestionTime: string,
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  // <aws.events.event> is the event without its detail, detail-type named detailType (AWS's answer, recorded by LocalStack).
  const envelope = Object.fromEntries(
    Object.entries(event)
      .filter(([k]) => k !== 'detail')
      .map(([k, v]) => [k === 'detail-type' ? 'detailType' : k, v]),
  );
  values.set('aws.events.rule-arn', rule.arn).set('aws.events.rule-name', rule.name).set('aws.events.event.ingestion-time', ingestionTime);
  values.set('aws.events.event', envelope).set('aws.events.event.json', event);
  for (const [k, path] of Object.entries(tr.InputPathsMap ?? {})) values.set(k, jsonPath(event, path));
  return values;
}

/** The payload a target receives: the event, or what Input / InputPath / InputTransformer make of it. */
export function targetInput(
  target: RuleTarget,
  event: JsonObject,
  rule: Pick<LocalRule, 'name' | 'arn'> = { name: '', arn: '' },
  ingestionTime = typeof event.time === 'string' ? event.time : '',
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath) return toJson(jsonPath(event, target.InputPath) ?? null);
  const tr = target.InputTransformer;
  if (tr) return renderTemplate(tr.InputTemplate, transformerValues(tr, event, rule, ingestionTime));
  return toJson(event);
}

// ---- PutTargets' checks ----

const ARN = /^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;

/** Throws ValidationException as PutTargets does for a target's input that cannot work. */
export function checkTargetInput(t: RuleTarget): void {
  const given = [t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length;
  if (given > 1)
    throw new AwsError('ValidationException', `Only one of Input, InputPath, or InputTransformer must be provided for target ${t.Id}.`);
  if (t.Input !== undefined) {
    try {
      JSON.parse(t.Input);
    } catch {
      throw new AwsError('ValidationException', `Parameter Input is not valid for target ${t.Id}: it must be JSON text.`);
    }
  }
  const paths: Array<[string, string]> =
    t.InputPath !== undefined
      ? [['InputPath', t.InputPath]]
      : Object.entries(t.InputTransformer?.InputPathsMap ?? {}).map(([k, p]) => [`InputPathsMap.${k}`, p]);
  for (const [what, p] of paths) {
    if (typeof p !== 'string' || !parseJsonPath(p))
      throw new AwsError(
        'ValidationException',
        `Parameter ${what} is not valid for target ${t.Id}: ${String(p)} is not a JSON path EventBridge supports ($, $.a.b, $.a[0], $.a[*]).`,
      );
  }
  if (t.InputTransformer) {
    const defined = new Set([...PREDEFINED, ...Object.keys(t.InputTransformer.InputPathsMap ?? {})]);
    for (const m of t.InputTransformer.InputTemplate.matchAll(PLACEHOLDERS)) {
      if (!defined.has(m[1]!))
        throw new AwsError('ValidationException', `InputTemplate for target ${t.Id} contains invalid placeholder ${m[1]}.`);
    }
  }
}

/** PutTargets' per-target failure (a FailedEntries entry), or undefined. */
export function targetEntryError(t: RuleTarget): { ErrorCode: string; ErrorMessage: string } | undefined {
  if (!ARN.test(t.Arn))
    return {
      ErrorCode: 'ValidationException',
      ErrorMessage: `Parameter ${t.Arn} is not valid. Reason: Provided Arn is not in correct format.`,
    };
  return undefined;
}

/** Whether the local runtime delivers to this kind of target. */
export const isEmulatedTarget = (arn: string): boolean =>
  /^arn:aws[\w-]*:(lambda|sqs):|^arn:aws[\w-]*:states:[^:]*:[^:]*:stateMachine:/.test(arn);

// ---- delivery ----

export interface DeliveryDeps {
  ctx: ServiceContext;
  sfn: () => SFNClient;
  sqs: () => SQSClient;
  /** ms before retry n (locally short; RetryPolicy only bounds the count). */
  retryDelayMs?: (attempt: number) => number;
  /** Aborted when the runtime stops: a delivery not finished then is kept (journalled) for the next start. */
  stopping?: AbortSignal;
}

/**
 * How a delivery ended: delivered; or failed for good and then sent to the target's
 * dead-letter queue, or dropped as EventBridge drops it (no DeadLetterConfig); or kept for the
 * next start (the runtime stopped first, or the dead-letter queue did not take it).
 */
export type DeliveryOutcome = 'delivered' | 'dead-lettered' | 'dropped' | 'kept';

/** Sends the event to the target's dead-letter queue with EventBridge's error attributes (none: dropped, as EventBridge drops it). */
export async function deadLetter(
  deps: DeliveryDeps,
  rule: Pick<LocalRule, 'arn'>,
  target: Pick<RuleTarget, 'Arn' | 'DeadLetterConfig'>,
  event: JsonObject,
  error: { code: string; message: string },
): Promise<DeliveryOutcome> {
  const dlq = target.DeadLetterConfig?.Arn;
  if (!dlq) return 'dropped';
  try {
    await deps.sqs().send(
      new SendMessageCommand({
        QueueUrl: queueUrlFromArn(deps.ctx, dlq),
        MessageBody: toJson(event),
        MessageAttributes: {
          ERROR_CODE: { DataType: 'String', StringValue: error.code },
          ERROR_MESSAGE: { DataType: 'String', StringValue: error.message.slice(0, 256) || 'failed' },
          RULE_ARN: { DataType: 'String', StringValue: rule.arn },
          TARGET_ARN: { DataType: 'String', StringValue: target.Arn },
        },
      }),
    );
    return 'dead-lettered';
  } catch (err) {
    deps.ctx.log(
      'eventbridge',
      `dead-letter queue ${dlq} unreachable (${(err as Error).message}): the event ${String(event.id)} stays journalled for the next start`,
    );
    return 'kept';
  }
}

/** Delivers to one target, with retries and the dead-letter queue. Never throws. */
export async function deliver(
  deps: DeliveryDeps,
  rule: LocalRule,
  target: RuleTarget,
  event: JsonObject,
  ingestionTime?: string,
): Promise<DeliveryOutcome> {
  let lastError = { code: 'UnknownError', message: '' };
  let payload: string;
  try {
    payload = targetInput(target, event, rule, ingestionTime);
  } catch (err) {
    payload = '';
    lastError = { code: 'InputTransformationFailed', message: (err as Error).message };
  }
  // RetryPolicy bounds the attempts; locally at most 3 retries so a dead target fails fast.
  const retries = payload ? Math.min(target.RetryPolicy?.MaximumRetryAttempts ?? 185, 3) : -1;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0)
      await delay(deps.retryDelayMs?.(attempt) ?? 100 * 2 ** attempt, undefined, { signal: deps.stopping }).catch(() => undefined);
    if (deps.stopping?.aborted) return 'kept';
    try {
      await sendTo(deps, target.Arn, payload);
      return 'delivered';
    } catch (err) {
      lastError = { code: (err as Error).name || 'Error', message: (err as Error).message };
    }
  }
  if (deps.stopping?.aborted) return 'kept';
  const outcome = await deadLetter(deps, rule, target, event, lastError);
  const where = {
    'dead-lettered': `sent to its dead-letter queue ${target.DeadLetterConfig?.Arn?.split(':').pop()}`,
    dropped: 'dropped: the target has no DeadLetterConfig',
    kept: 'kept for the next start',
    delivered: '',
  }[outcome];
  deps.ctx.log('eventbridge', `rule ${rule.name} target ${target.Id} failed: ${lastError.code} ${lastError.message} (${where})`);
  return outcome;
}

async function sendTo(deps: DeliveryDeps, arn: string, payload: string): Promise<void> {
  if (arn.startsWith('arn:aws:lambda:')) {
    const id = deps.ctx.functions.functionId(arn);
    if (!id) throw Object.assign(new Error(`Function not found: ${arn}`), { name: 'ResourceNotFoundException' });
    // EventBridge invokes Lambda asynchronously: the function's own errors are its async
    // retries' and DLQ's business, not the rule target's.
    const res = await deps.ctx.functions.invoke(id, JSON.parse(payload), { async: true });
    if (!res.ok && res.error?.errorType === 'ResourceNotFoundException')
      throw Object.assign(new Error(res.error.errorMessage), { name: res.error.errorType });
    return;
  }
  if (arn.startsWith('arn:aws:states:')) {
    await deps.sfn().send(new StartExecutionCommand({ stateMachineArn: arn, input: payload }));
    return;
  }
  if (arn.startsWith('arn:aws:sqs:')) {
    await deps.sqs().send(new SendMessageCommand({ QueueUrl: queueUrlFromArn(deps.ctx, arn), MessageBody: payload }));
    return;
  }
  throw Object.assign(new Error(`Target type not emulated locally: ${arn}`), { name: 'UnsupportedTarget' });
}

/** SDK clients for the targets: Step Functions and SQS, made on first use. */
export function localClients(ctx: StackContext): { sfn: () => SFNClient; sqs: () => SQSClient; destroy: () => void } {
  let sfn: SFNClient | undefined;
  let sqs: SQSClient | undefined;
  return {
    sfn: () => (sfn ??= new SFNClient(clientConfig(ctx, 'stepfunctions'))),
    sqs: () => (sqs ??= new SQSClient(clientConfig(ctx, 'sqs'))),
    destroy: () => {
      sfn?.destroy();
      sqs?.destroy();
    },
  };
}
