/**
 * What a seed's scripts do against `npm start`, with SDK v3 clients configured only by the
 * environment `npm run aws-env` prints: CloudFormation (the stack's outputs, parameters,
 * status and resources with physical ids that the other services answer to), CloudWatch
 * Logs (the groups as deployed, events from the functions and the API's access log, filter
 * patterns, paging), and the CLI commands run while the runtime runs (create-user through
 * the running Cognito endpoint, whose user signs in there at once; invoke).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { REPO_ROOT, startLocalRuntime, type LocalRuntimeHandle } from '../support/runtime';

jest.setTimeout(180_000);

let rt: LocalRuntimeHandle;
let cfn: CloudFormationClient;
let logs: CloudWatchLogsClient;
const STACK = 'myapp'; // samconfig.toml's stack_name
const cli = (...args: string[]) =>
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(REPO_ROOT, 'local', 'src', 'cli.ts'),
      ...args,
      '--state-dir',
      rt.stateDir,
    ],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );

/** `eval "$(npm run -s aws-env)"`: the environment the CLI prints, and clients that know nothing of local. */
function pointAtStack(): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  for (const line of cli('aws-env').trim().split('\n')) {
    const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) process.env[m[1]!] = m[2]!;
  }
  cfn?.destroy();
  logs?.destroy();
  [cfn, logs] = [new CloudFormationClient({}), new CloudWatchLogsClient({})];
}

const stackOf = async () => (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks![0]!;

beforeAll(async () => {
  rt = await startLocalRuntime({ parameterOverrides: { OrderHoldSeconds: '3' } });
  pointAtStack();
});
afterAll(async () => {
  cfn?.destroy();
  logs?.destroy();
  await rt?.stop();
});

describe('CloudFormation', () => {
  it('describes the stack: status, the outputs as the runtime computes them, the parameters as resolved', async () => {
    const s = await stackOf();
    expect(s).toMatchObject({
      StackName: STACK,
      StackStatus: 'CREATE_COMPLETE',
      StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/myapp\//),
    });
    const outputs = Object.fromEntries(s.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs.UserPool).toBe(rt.outputs.UserPoolId);
    expect(outputs.UserPoolClient).toBe(rt.outputs.UserPoolClientId);
    expect(outputs.APIEndpoint).toBe(rt.outputs.APIEndpoint);
    expect(s.Outputs!.find((o) => o.OutputKey === 'APIEndpoint')?.Description).toBe('Base URL of the REST API');
    expect(outputs.CognitoEndpoint).toBeUndefined(); // a local endpoint, not a stack output
    const params = Object.fromEntries(s.Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(params).toMatchObject({ OrderHoldSeconds: '3', StageName: 'prod', UserPoolAdminGroupName: 'apiAdmins' });
  });

  it('refuses a stack that does not exist as AWS does', async () => {
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'nope' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id nope does not exist',
    });
  });

  it('lists every resource with its deployed type and a physical id the services answer to, in pages of 100', async () => {
    const all = [];
    let pages = 0;
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: STACK })) {
      pages++;
      all.push(...page.StackResourceSummaries!);
    }
    expect(pages).toBe(Math.ceil(all.length / 100));
    expect(all.length).toBeGreaterThan(100);
    const byId = Object.fromEntries(all.map((r) => [r.LogicalResourceId, r]));
    expect(byId.OrdersTable).toMatchObject({ ResourceType: 'AWS::DynamoDB::Table', ResourceStatus: 'CREATE_COMPLETE' });
    expect(byId.CreateOrderFunction).toMatchObject({
      ResourceType: 'AWS::Lambda::Function',
      PhysicalResourceId: 'myapp-CreateOrderFunction',
    });
    const ddb = new DynamoDBClient({});
    const sfn = new SFNClient({});
    try {
      expect((await ddb.send(new DescribeTableCommand({ TableName: byId.OrdersTable!.PhysicalResourceId }))).Table?.TableStatus).toBe(
        'ACTIVE',
      );
      expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: byId.OrderWorkflow!.PhysicalResourceId }))).name).toBe(
        'myapp-OrderWorkflow',
      );
    } finally {
      ddb.destroy();
      sfn.destroy();
    }
    expect((await cfn.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources).toHaveLength(100);
    const one = await cfn.send(new DescribeStackResourceCommand({ StackName: STACK, LogicalResourceId: 'UserPool' }));
    expect(one.StackResourceDetail).toMatchObject({
      PhysicalResourceId: rt.outputs.UserPoolId,
      ResourceType: 'AWS::Cognito::UserPool',
      StackName: STACK,
    });
    await expect(cfn.send(new DescribeStackResourceCommand({ StackName: STACK, LogicalResourceId: 'Nope' }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('CloudWatch Logs', () => {
  it('has the groups as deployed: a /aws/lambda/<FunctionName> per function and the API access log group, with their retention', async () => {
    const groups = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups!;
    const names = groups.map((g) => g.logGroupName);
    expect(names).toEqual(
      expect.arrayContaining(['/aws/lambda/myapp-CreateOrderFunction', '/aws/lambda/myapp-HealthFunction', '/aws/apigateway/myapp-access']),
    );
    expect(groups.find((g) => g.logGroupName === '/aws/lambda/myapp-HealthFunction')?.retentionInDays).toBe(30);
    const paged = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/', limit: 5 }));
    expect(paged.logGroups).toHaveLength(5);
    expect(paged.nextToken).toBeDefined();
  });

  it('holds each function line and access log line; filter patterns and GetLogEvents read them back', async () => {
    const seeded = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/myapp-SeedCatalogueFunction',
        filterPattern: '{ $.message = "Catalogue seeded" && $.inserted > 0 }',
      }),
    );
    expect(seeded.events).toHaveLength(1);
    const res = await fetch(`${rt.outputs.APIEndpoint}/health`, { headers: { 'user-agent': 'stack-services-test' } });
    expect(res.status).toBe(200);
    expect((await fetch(`${rt.outputs.APIEndpoint}/health`)).status).toBe(200); // the same warm process: a second REPORT in its stream
    const requestId = res.headers.get('x-amzn-requestid')!;
    const access = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/apigateway/myapp-access',
        filterPattern: `{ $.requestId = "${requestId}" && $.status = "200" }`,
      }),
    );
    expect(access.events).toHaveLength(1);
    expect(JSON.parse(access.events![0]!.message!)).toMatchObject({
      httpMethod: 'GET',
      resourcePath: '/health',
      status: '200',
      requestId,
      ip: '127.0.0.1',
    });
    const reports = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/myapp-HealthFunction',
        filterPattern: 'REPORT',
        startTime: Date.now() - 60_000,
      }),
    );
    expect(reports.events!.length).toBeGreaterThan(0);
    const stream = (
      await logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: '/aws/lambda/myapp-HealthFunction',
          orderBy: 'LastEventTime',
          descending: true,
          limit: 1,
        }),
      )
    ).logStreams![0]!;
    const page = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/myapp-HealthFunction',
        logStreamName: stream.logStreamName,
        startFromHead: true,
        limit: 1,
      }),
    );
    expect(page.events).toHaveLength(1);
    const next = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/myapp-HealthFunction',
        logStreamName: stream.logStreamName,
        nextToken: page.nextForwardToken,
        limit: 100,
      }),
    );
    expect(next.events!.at(-1)?.message).toMatch(/^REPORT RequestId: /);
    expect(next.events!.map((e) => e.timestamp)).not.toContain(undefined);
    // At the end the token given comes back, as in AWS.
    const end = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/myapp-HealthFunction',
        logStreamName: stream.logStreamName,
        nextToken: next.nextForwardToken,
      }),
    );
    expect(end).toMatchObject({ events: [], nextForwardToken: next.nextForwardToken });
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/myapp-HealthFunction', filterPattern: '{ $.x = ' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('the CLI commands against the running stack', () => {
  it('create-user goes through the running Cognito endpoint: the user signs in there at once, in the admin group', async () => {
    const email = `cli-${Date.now()}@example.com`;
    const tokens = JSON.parse(cli('create-user', '--email', email, '--password', 'Passw0rd-Cli', '--admin')) as { IdToken: string };
    expect(tokens.IdToken).toBeDefined();
    const cognito = new CognitoIdentityProviderClient({});
    try {
      const r = await cognito.send(
        new InitiateAuthCommand({
          ClientId: rt.outputs.UserPoolClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: 'Passw0rd-Cli' },
        }),
      );
      const claims = JSON.parse(Buffer.from(r.AuthenticationResult!.IdToken!.split('.')[1]!, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      expect(claims['cognito:groups']).toEqual(['apiAdmins']);
      const users = await fetch(`${rt.outputs.APIEndpoint}/users`, { headers: { authorization: r.AuthenticationResult!.IdToken! } });
      expect(users.status).toBe(200);
    } finally {
      cognito.destroy();
    }
  });

  it('invoke runs a function against the running stack’s services (the catalogue the runtime seeded)', () => {
    // The function's log lines come first ([ProductsFunction] ...), then the result.
    const printed = cli('invoke', 'ProductsFunction', '-e', join(REPO_ROOT, 'events', 'products-get.json'));
    const out = JSON.parse(printed.slice(printed.search(/^\{$/m))) as { statusCode: number; body: string };
    expect(out.statusCode).toBe(200);
    expect((JSON.parse(out.body) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });

  it('after a restart with other parameters: the stack is UPDATE_COMPLETE (same id), users and log events are kept', async () => {
    const before = await stackOf();
    await rt.restart({ parameterOverrides: { OrderHoldSeconds: '4' } });
    pointAtStack();
    const after = await stackOf();
    expect(after).toMatchObject({ StackId: before.StackId, StackStatus: 'UPDATE_COMPLETE' });
    expect(after.LastUpdatedTime!.getTime()).toBeGreaterThan(after.CreationTime!.getTime());
    expect(after.Parameters!.find((p) => p.ParameterKey === 'OrderHoldSeconds')?.ParameterValue).toBe('4');
    const seeded = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/myapp-SeedCatalogueFunction', filterPattern: '"Catalogue seeded"' }),
    );
    expect(seeded.events!.length).toBeGreaterThanOrEqual(1);
  });
});
