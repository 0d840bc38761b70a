/**
 * CloudFormation: the running template as one stack, named as `sam deploy` names it
 * (samconfig.toml's stack_name), behind an endpoint that speaks CloudFormation's Query
 * protocol (XML), so `aws cloudformation describe-stacks ...` and the SDK read what they
 * read from a deployed stack: DescribeStacks (the template's Outputs as the runtime computes
 * them, its Parameters as resolved, StackStatus CREATE_COMPLETE on a new state dir and
 * UPDATE_COMPLETE once the template or parameters changed), ListStacks,
 * DescribeStackResource, DescribeStackResources (the first 100, as AWS) and
 * ListStackResources (pages of 100) with logical id, physical id and type. A SAM resource is
 * listed with the CloudFormation type it deploys as (AWS::Serverless::Function is an
 * AWS::Lambda::Function); the stack and resource timestamps are kept in
 * `<state>/cloudformation/stack.json`.
 * Not emulated: creating, updating or deleting stacks (the template is the stack; `npm start`
 * applies it), change sets, stack events, drift detection, exports and imports, nested
 * stacks, StackSets, the resources SAM generates (roles, permissions, deployments, stages,
 * versions and aliases, event source mappings) and SAM's hashed layer logical ids.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { ServiceContext, ServiceModule, StartedService } from '../contract';
import { closeServer, listenLoopback } from '../ports';
import { AwsError, awsQuery, awsService, stringMember, type Operations } from '../protocol';
import type { JsonObject, ResolvedTemplate } from '../template';

/** The CloudFormation type a SAM resource deploys as (its main resource keeps the logical id). */
const DEPLOYED_TYPE: Readonly<Record<string, string>> = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
  'AWS::Serverless::Api': 'AWS::ApiGateway::RestApi',
  'AWS::Serverless::HttpApi': 'AWS::ApiGatewayV2::Api',
  'AWS::Serverless::StateMachine': 'AWS::StepFunctions::StateMachine',
  'AWS::Serverless::LayerVersion': 'AWS::Lambda::LayerVersion',
  'AWS::Serverless::SimpleTable': 'AWS::DynamoDB::Table',
  'AWS::Serverless::Application': 'AWS::CloudFormation::Stack',
};

const PAGE = 100;

interface ResourceRecord {
  hash: string;
  timestamp: string;
  status: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE';
}

/** What a stack create or update left behind (`<state>/cloudformation/stack.json`). */
interface StackRecord {
  stackId: string;
  creationTime: string;
  lastUpdatedTime?: string;
  status: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE';
  hash: string;
  resources: Record<string, ResourceRecord>;
}

const hashOf = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);

/**
 * The stack as this start leaves it: created on a new state dir, updated when the template's
 * resources or parameters changed since the last start (each resource created, updated or
 * kept with its own time), else as it was.
 */
export function applyStack(
  previous: StackRecord | undefined,
  t: ResolvedTemplate,
  ctx: { region: string; accountId: string; stackName: string },
  now = new Date(),
): StackRecord {
  const at = now.toISOString();
  const hashes = Object.fromEntries(Object.entries(t.resources).map(([id, r]) => [id, hashOf(r)]));
  const hash = hashOf([hashes, t.parameters, t.outputs]);
  if (!previous) {
    const stackId = `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/${randomUUID()}`;
    const resources = Object.fromEntries(
      Object.entries(hashes).map(([id, h]) => [id, { hash: h, timestamp: at, status: 'CREATE_COMPLETE' as const }]),
    );
    return { stackId, creationTime: at, status: 'CREATE_COMPLETE', hash, resources };
  }
  if (previous.hash === hash) return previous;
  const resources: Record<string, ResourceRecord> = {};
  for (const [id, h] of Object.entries(hashes)) {
    const before = previous.resources[id];
    resources[id] = !before
      ? { hash: h, timestamp: at, status: 'CREATE_COMPLETE' }
      : before.hash === h
        ? before
        : { hash: h, timestamp: at, status: 'UPDATE_COMPLETE' };
  }
  return { ...previous, lastUpdatedTime: at, status: 'UPDATE_COMPLETE', hash, resources };
}

interface Stack {
  name: string;
  record: StackRecord;
  template: ResolvedTemplate;
  outputs: Readonly<Record<string, string>>;
}

/** The stack a StackName (name or stack id) means; ValidationError as AWS words it. */
function stackOf(s: Stack, input: Record<string, unknown>): Stack {
  const name = stringMember(input, 'StackName');
  if (input.StackName === undefined || name === s.name || name === s.record.stackId) return s;
  throw new AwsError('ValidationError', `Stack with id ${name} does not exist`);
}

const descriptionOf = (raw: JsonObject, key: string): string | undefined => {
  const o = (raw.Outputs as Record<string, JsonObject> | undefined)?.[key];
  return typeof o?.Description === 'string' ? o.Description : undefined;
};

function describeStack(s: Stack) {
  const raw = s.template.raw;
  const noEcho = (k: string) => (raw.Parameters as Record<string, JsonObject> | undefined)?.[k]?.NoEcho === true;
  return {
    StackId: s.record.stackId,
    StackName: s.name,
    Description: typeof raw.Description === 'string' ? raw.Description.trim() : undefined,
    Parameters: Object.entries(s.template.parameters).map(([ParameterKey, v]) => ({
      ParameterKey,
      ParameterValue: noEcho(ParameterKey) ? '****' : v,
    })),
    CreationTime: new Date(s.record.creationTime),
    LastUpdatedTime: s.record.lastUpdatedTime ? new Date(s.record.lastUpdatedTime) : undefined,
    RollbackConfiguration: {},
    StackStatus: s.record.status,
    DisableRollback: false,
    NotificationARNs: [],
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_AUTO_EXPAND'],
    Outputs: Object.keys(s.template.outputs).map((OutputKey) => ({
      OutputKey,
      OutputValue: s.outputs[OutputKey] ?? s.template.outputs[OutputKey],
      Description: descriptionOf(raw, OutputKey),
    })),
    Tags: [],
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

/** The stack's resources, by logical id, with their deployed type and physical id. */
function resourcesOf(s: Stack) {
  return Object.keys(s.template.resources)
    .sort()
    .map((id) => {
      const r = s.template.resources[id]!;
      const rec = s.record.resources[id];
      return {
        LogicalResourceId: id,
        PhysicalResourceId: s.template.refs[id] ?? id,
        ResourceType: DEPLOYED_TYPE[r.Type] ?? r.Type,
        Timestamp: new Date(rec?.timestamp ?? s.record.creationTime),
        ResourceStatus: rec?.status ?? 'CREATE_COMPLETE',
        Metadata: r.Metadata,
      };
    });
}

const drift = { StackResourceDriftStatus: 'NOT_CHECKED' };

function describeStackResource(s: Stack, input: Record<string, unknown>) {
  const stack = stackOf(s, input);
  const r = resourcesOf(stack).find((x) => x.LogicalResourceId === input.LogicalResourceId);
  if (!r)
    throw new AwsError(
      'ValidationError',
      `Resource ${stringMember(input, 'LogicalResourceId')} does not exist for stack ${stringMember(input, 'StackName')}`,
    );
  const { Timestamp, Metadata, ...rest } = r;
  return {
    StackResourceDetail: {
      StackName: stack.name,
      StackId: stack.record.stackId,
      ...rest,
      LastUpdatedTimestamp: Timestamp,
      Metadata: Metadata ? JSON.stringify(Metadata) : undefined,
      DriftInformation: drift,
    },
  };
}

function describeStackResources(s: Stack, input: Record<string, unknown>) {
  if (input.StackName === undefined && input.PhysicalResourceId === undefined)
    throw new AwsError('ValidationError', 'Either StackName or PhysicalResourceId must be specified');
  const all = resourcesOf(stackOf(s, input));
  if (input.PhysicalResourceId !== undefined && !all.some((r) => r.PhysicalResourceId === input.PhysicalResourceId)) {
    throw new AwsError('ValidationError', `Stack for ${stringMember(input, 'PhysicalResourceId')} does not exist`);
  }
  const chosen = all.filter((r) => input.LogicalResourceId === undefined || r.LogicalResourceId === input.LogicalResourceId);
  return {
    StackResources: chosen
      .slice(0, PAGE)
      .map(({ Metadata: _m, ...r }) => ({ StackName: s.name, StackId: s.record.stackId, ...r, DriftInformation: drift })),
  };
}

function listStackResources(s: Stack, input: Record<string, unknown>) {
  const all = resourcesOf(stackOf(s, input));
  const offset = input.NextToken === undefined ? 0 : Number(Buffer.from(stringMember(input, 'NextToken'), 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new AwsError('ValidationError', 'Invalid NextToken');
  const page = all.slice(offset, offset + PAGE);
  return {
    StackResourceSummaries: page.map(({ Timestamp, Metadata: _m, ...r }) => ({
      ...r,
      LastUpdatedTimestamp: Timestamp,
      DriftInformation: drift,
    })),
    NextToken: all.length > offset + PAGE ? Buffer.from(String(offset + PAGE)).toString('base64url') : undefined,
  };
}

function operations(s: Stack): Operations {
  return {
    DescribeStacks: (input) => ({ Stacks: [describeStack(stackOf(s, input))] }),
    ListStacks: () => ({
      StackSummaries: [
        {
          StackId: s.record.stackId,
          StackName: s.name,
          CreationTime: new Date(s.record.creationTime),
          LastUpdatedTime: s.record.lastUpdatedTime ? new Date(s.record.lastUpdatedTime) : undefined,
          StackStatus: s.record.status,
          DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
        },
      ],
    }),
    DescribeStackResource: (input) => describeStackResource(s, input),
    DescribeStackResources: (input) => describeStackResources(s, input),
    ListStackResources: (input) => listStackResources(s, input),
  };
}

/** The stack record for this start, saved before the endpoint answers. */
function loadStack(ctx: ServiceContext): StackRecord {
  const dir = join(ctx.stateDir, 'cloudformation');
  const file = join(dir, 'stack.json');
  mkdirSync(dir, { recursive: true });
  const previous = !ctx.freshState && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackRecord) : undefined;
  const record = applyStack(previous, ctx.template, ctx);
  if (record !== previous) {
    writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 1));
    renameSync(`${file}.tmp`, file);
  }
  return record;
}

async function startCloudFormation(ctx: ServiceContext): Promise<StartedService> {
  const stack: Stack = { name: ctx.stackName, record: loadStack(ctx), template: ctx.template, outputs: ctx.outputs };
  const server = createServer(
    awsService({
      protocol: awsQuery({ xmlns: 'http://cloudformation.amazonaws.com/doc/2010-05-15/' }),
      operations: operations(stack),
      unknownOperation: (op) => new AwsError('InvalidAction', `The action ${op || '(none)'} is not valid for this web service.`),
      internalErrorCode: 'InternalFailure',
      log: (m) => ctx.log('cloudformation', m),
    }),
  );
  const port = await listenLoopback(server, ctx.port);
  return {
    url: `http://127.0.0.1:${port}`,
    describe: () => [`stack: ${stack.name} ${stack.record.status} (aws cloudformation describe-stacks --stack-name ${stack.name})`],
    stop: () => closeServer(server),
  };
}

export const cloudFormationService: ServiceModule = {
  name: 'cloudformation',
  port: 4581,
  endpointEnv: ['AWS_ENDPOINT_URL_CLOUDFORMATION'],
  endpoints: (url) => ({ CloudFormationEndpoint: url }),
  start: startCloudFormation,
};
