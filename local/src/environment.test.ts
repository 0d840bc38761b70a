/**
 * The one SDK environment: what it holds, that each AWS_ENDPOINT_URL_* the registry declares
 * is the variable the service's real SDK client reads, and `npm run aws-env`'s output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CognitoIdentityProviderClient, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { exportLines, localAwsEnv, localUrls, stateDirStack } from './environment';
import { DEFAULT_PORTS, SERVICES } from './registry';

const REPO = resolve(__dirname, '..', '..');

describe('localAwsEnv', () => {
  const env = localAwsEnv('eu-west-1', localUrls(DEFAULT_PORTS));

  it('sets the region, alphanumeric credentials, a session token and every declared endpoint variable', () => {
    expect(env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
    });
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:8083',
      AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:4010',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229',
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:3001',
    });
    const declared = SERVICES.flatMap((s) => s.endpointEnv ?? []);
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith('AWS_ENDPOINT_URL_'))
        .sort(),
    ).toEqual([...declared].sort());
    // No catch-all AWS_ENDPOINT_URL: a service that is not emulated must not hit a wrong endpoint.
    expect(env).not.toHaveProperty('AWS_ENDPOINT_URL');
  });

  it('leaves out the services whose URL it is not given', () => {
    expect(Object.keys(localAwsEnv('us-east-1', { sqs: 'http://127.0.0.1:1' })).filter((k) => k.startsWith('AWS_ENDPOINT_URL_'))).toEqual([
      'AWS_ENDPOINT_URL_SQS',
    ]);
  });
});

describe('the endpoint variables are the ones the real SDK clients read', () => {
  let server: Server;
  const seen: string[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${String(req.headers['x-amz-target'] ?? '')} ${req.method} ${req.url}`);
      res.writeHead(500, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // Every service at the recording server; each client built with no endpoint of its own.
    Object.assign(process.env, localAwsEnv('us-east-1', Object.fromEntries(SERVICES.map((s) => [s.name, url]))), { AWS_MAX_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise((ok) => server.close(ok));
  });

  it.each([
    ['DynamoDB', () => new DynamoDBClient({}).send(new ListTablesCommand({})), 'DynamoDB_20120810.ListTables'],
    ['DynamoDB Streams', () => new DynamoDBStreamsClient({}).send(new ListStreamsCommand({})), 'DynamoDBStreams_20120810.ListStreams'],
    ['SQS', () => new SQSClient({}).send(new ListQueuesCommand({})), 'AmazonSQS.ListQueues'],
    ['Step Functions', () => new SFNClient({}).send(new ListStateMachinesCommand({})), 'AWSStepFunctions.ListStateMachines'],
    ['EventBridge', () => new EventBridgeClient({}).send(new ListRulesCommand({})), 'AWSEvents.ListRules'],
    [
      'Cognito',
      () => new CognitoIdentityProviderClient({}).send(new ListUserPoolsCommand({ MaxResults: 1 })),
      'AWSCognitoIdentityProviderService.ListUserPools',
    ],
    ['S3', () => new S3Client({ forcePathStyle: true }).send(new ListBucketsCommand({})), ' GET /'],
  ])('%s', async (_name, call, expected) => {
    seen.length = 0;
    await call().catch(() => undefined);
    expect(seen.some((line) => line.includes(expected))).toBe(true);
  });
});

describe('npm run aws-env', () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(join(tmpdir(), 'aws-env-'))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  const run = () =>
    execFileSync(
      process.execPath,
      [join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO, 'local', 'src', 'cli.ts'), 'aws-env', '--state-dir', stateDir],
      { cwd: REPO, encoding: 'utf8' },
    );

  it('prints export lines for the running stack: its ports and region from the state dir', () => {
    writeFileSync(join(stateDir, 'ports.json'), JSON.stringify({ ...DEFAULT_PORTS, sqs: 41234, dynamodb: 41235 }));
    writeFileSync(join(stateDir, 'outputs.json'), JSON.stringify({ Region: 'eu-central-1' }));
    const out = run();
    expect(
      out
        .split('\n')
        .filter(Boolean)
        .every((l) => /^export [A-Z0-9_]+='[^']*'$/.test(l)),
    ).toBe(true);
    expect(out).toContain("export AWS_ENDPOINT_URL_SQS='http://127.0.0.1:41234'\n");
    expect(out).toContain("export AWS_ENDPOINT_URL_DYNAMODB_STREAMS='http://127.0.0.1:41235'\n");
    expect(out).toContain("export AWS_REGION='eu-central-1'\n");
  });

  it('prints the default ports for a state dir that never ran', () => {
    expect(run()).toContain("export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER='http://127.0.0.1:9229'\n");
    expect(stateDirStack(stateDir)).toEqual({ region: 'us-east-1', ports: DEFAULT_PORTS });
  });

  it('quotes values for the shell', () => {
    expect(exportLines({ A: "it's" })).toBe(`export A='it'\\''s'\n`);
  });
});
