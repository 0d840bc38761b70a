/**
 * Starts the whole application from template.yaml: DynamoDB Local and the build in
 * parallel, then Cognito, S3, Lambda, the API, custom resources and the event services.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ApiGateway } from './apigw';
import { Builder } from './build';
import { CognitoServer } from './cognito';
import { createTables, startDynamoDbLocal, startTtlSweeper, type DynamoDbLocal } from './dynamodb';
import { runCustomResources } from './lambda/custom-resources';
import { LambdaService } from './lambda';
import { LambdaInvokeApi } from './lambda/invoke-api';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queueUrlFromArn } from './services/eventbridge';
import { assertPortFree, freePort } from './ports';
import { startS3, type S3Local } from './s3';
import { preloadServiceEngines, SERVICE_ORDER, serviceStarters } from './services';
import { loadTemplateFile, resolveTemplate, tableDefinitionsFromTemplate, LOCAL_PARAMETER_DEFAULTS, type ResolvedTemplate } from './template';
import type { InvokeResult, LocalService, Runtime } from './types';

export const DEFAULT_PORTS = {
  api: 3000,
  lambda: 3001,
  edge: 8080,
  dynamodb: 8000,
  cognito: 9229,
  s3: 4569,
  stepfunctions: 8083,
  eventbridge: 4010,
  sqs: 9324,
} as const;
export type PortName = keyof typeof DEFAULT_PORTS;

export interface StartOptions {
  rootDir: string;
  templatePath?: string;
  stateDir?: string;
  fresh?: boolean;
  parameterOverrides?: Record<string, string>;
  ports?: Partial<Record<PortName, number>>;
  /** Pick every port not given explicitly at random (tests). */
  autoPorts?: boolean;
  region?: string;
  watch?: boolean;
  inMemoryDb?: boolean;
  /**
   * AWS_ENDPOINT_URL_DYNAMODB for function processes only (default: DynamoDB Local itself),
   * e.g. the bench's capacity-counting proxy in front of it (`--functions-dynamodb-endpoint`).
   */
  functionsDynamoDBEndpoint?: string;
  /** Processes per function at most (Lambda's concurrency, bounded for a laptop; default 4). */
  functionConcurrency?: number;
  /**
   * Delete items past their TTL attribute every 5 s (default true). Each sweep scans the TTL
   * tables, so a bench that loads a large table turns it off (`--no-ttl-sweep`).
   */
  ttlSweep?: boolean;
  log?: (source: string, message: string) => void;
}

/** Resource types that exist in the template but have no local behaviour: named at start. */
const NOT_EMULATED: Record<string, string> = {
  'AWS::CloudFront::Distribution': 'CloudFront distribution',
  'AWS::CloudFront::Function': 'CloudFront function (the edge service serves it if present)',
  'AWS::CloudFront::OriginAccessControl': 'CloudFront origin access control',
  'AWS::CloudWatch::Alarm': 'CloudWatch alarm',
  'AWS::CloudWatch::Dashboard': 'CloudWatch dashboard',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::SNS::Subscription': 'SNS subscription',
  'AWS::Logs::LogGroup': 'log group (logs go to the console)',
  'AWS::IAM::Role': 'IAM role (no authorisation locally)',
  'AWS::IAM::Policy': 'IAM policy (no authorisation locally)',
  'AWS::Cognito::UserPoolDomain': 'hosted UI domain',
  'AWS::S3::BucketPolicy': 'bucket policy',
  'AWS::ApiGateway::Account': 'API Gateway account settings',
};

export interface LocalRuntime extends Runtime {
  outputs: Record<string, string>;
  routes: ApiGateway['routes'];
  readyMs: number;
  /** Milliseconds from the start to the end of each start-up phase (where the time went). */
  phases: Record<string, number>;
  summary: string[];
  stop(): Promise<void>;
}

const ENDPOINT_ENV: Record<string, string> = {
  DynamoDBEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  DynamoDBStreamsEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
  S3Endpoint: 'AWS_ENDPOINT_URL_S3',
  StepFunctionsEndpoint: 'AWS_ENDPOINT_URL_SFN',
  EventBridgeEndpoint: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  SQSEndpoint: 'AWS_ENDPOINT_URL_SQS',
  CognitoEndpoint: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
  LambdaEndpoint: 'AWS_ENDPOINT_URL_LAMBDA',
};

export async function startRuntime(o: StartOptions): Promise<LocalRuntime> {
  const t0 = Date.now();
  const phases: Record<string, number> = {};
  const phase = <T>(name: string, p: Promise<T>): Promise<T> => p.then((v) => ((phases[name] = Date.now() - t0), v));
  const log = o.log ?? ((s: string, m: string) => console.log(`[${s}] ${m}`));
  const stateDir = resolve(o.rootDir, o.stateDir ?? '.local');
  const region = o.region ?? 'us-east-1';
  const accountId = '123456789012';
  const stackName = 'myapp';
  const templatePath = o.templatePath ?? join(o.rootDir, 'template.yaml');
  if (!existsSync(templatePath)) throw new Error(`No template at ${templatePath}: run from the repository root or pass --template`);

  // Ports first: a port in use is a one-line error before anything starts.
  // With --ports auto, a restart on the same state dir takes the previous ports when they
  // are free, so the Cognito issuer (and the tokens clients hold) stays valid.
  const portsFile = join(stateDir, 'ports.json');
  const previous = o.autoPorts && !o.fresh && existsSync(portsFile) ? (JSON.parse(readFileSync(portsFile, 'utf8')) as Partial<Record<PortName, number>>) : {};
  const ports = {} as Record<PortName, number>;
  for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
    const given = o.ports?.[name];
    if (given === undefined && o.autoPorts) {
      const prev = previous[name];
      ports[name] = prev !== undefined && (await assertPortFree(prev, name).then(() => true, () => false)) ? prev : await freePort();
      continue;
    }
    ports[name] = given ?? DEFAULT_PORTS[name];
    await assertPortFree(ports[name], name);
  }
  const url = (p: number) => `http://127.0.0.1:${p}`;
  const endpoints: Record<string, string> = {
    DynamoDBEndpoint: url(ports.dynamodb),
    DynamoDBStreamsEndpoint: url(ports.dynamodb),
    CognitoEndpoint: url(ports.cognito),
    S3Endpoint: url(ports.s3),
    StepFunctionsEndpoint: url(ports.stepfunctions),
    EventBridgeEndpoint: url(ports.eventbridge),
    SQSEndpoint: url(ports.sqs),
    LambdaEndpoint: url(ports.lambda),
    WebURL: `${url(ports.edge)}/`,
    DocsURL: `${url(ports.edge)}/docs/`,
  };

  const raw = loadTemplateFile(templatePath);
  const template: ResolvedTemplate = resolveTemplate(raw, {
    parameterOverrides: o.parameterOverrides ?? {},
    ctx: { region, accountId, stackName, cognitoUrl: endpoints.CognitoEndpoint!, sqsUrl: endpoints.SQSEndpoint!, webUrl: url(ports.edge) },
  });
  template.warnings.forEach((w) => log('template', `warning: ${w}`));

  if (o.fresh) rmSync(stateDir, { recursive: true, force: true });
  const freshState = !existsSync(join(stateDir, 'outputs.json')) || !!o.fresh;
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(portsFile, JSON.stringify(ports));

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stoppers.reverse()) await s().catch((e: Error) => log('runtime', `stop: ${e.message}`));
    stoppers.length = 0;
  };

  try {
    // SAM resolves CodeUri/ContentUri against the template's folder.
    const builder = new Builder(template, dirname(templatePath), join(stateDir, 'build'), log);
    stoppers.push(() => builder.dispose());
    const tableDefs = tableDefinitionsFromTemplate(template);
    const cognito = new CognitoServer({ template, stateDir: join(stateDir, 'cognito'), region, baseUrl: endpoints.CognitoEndpoint!, log });
    const hasBuckets = Object.values(template.resources).some((r) => r.Type === 'AWS::S3::Bucket');
    // Everything independent starts at once: DynamoDB Local (the JVM) dominates start-up.
    preloadServiceEngines();
    // allSettled: a fast failure (a build error) must not leave a slower starter (the JVM)
    // running unregistered; every stopper is in place before the error propagates.
    const settled = await Promise.allSettled([
      (async (): Promise<DynamoDbLocal> => {
        // Supervised: a JVM that dies is restarted on the same port and data; its pid is in
        // <stateDir>/dynamodb/pid (the faults suite kills it). An in-memory database comes
        // back empty, so the tables are created again.
        let restartClient: DynamoDbLocal['client'] | undefined;
        const d = await startDynamoDbLocal({
          port: ports.dynamodb,
          inMemory: !!o.inMemoryDb,
          dbPath: join(stateDir, 'dynamodb'),
          region,
          pidFile: join(stateDir, 'dynamodb', 'pid'),
          log: (m) => log('dynamodb', m),
          onRestart: async () => {
            if (!restartClient) return;
            const again = await createTables(restartClient, tableDefs);
            if (again.length) log('dynamodb', `created ${again.join(', ')} again (the in-memory database restarted empty)`);
          },
        });
        restartClient = d.client;
        stoppers.push(() => d.stop());
        phases.dynamodb = Date.now() - t0;
        const created = await createTables(d.client, tableDefs);
        phases.tables = Date.now() - t0;
        if (created.length) log('dynamodb', `created ${created.join(', ')}`);
        return d;
      })(),
      phase('build', builder.buildAll()),
      phase('cognito', cognito.listen(ports.cognito).then(() => stoppers.push(() => cognito.stop()))),
      hasBuckets
        ? startS3({ template, port: ports.s3, dir: join(stateDir, 's3'), log }).then((s) => (stoppers.push(() => s.stop()), s))
        : Promise.resolve<S3Local | undefined>(undefined),
    ]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const ddb = (settled[0] as PromiseFulfilledResult<DynamoDbLocal>).value;
    if (o.ttlSweep !== false) {
      const sweeper = startTtlSweeper(ddb.client, tableDefs, (m) => log('dynamodb', m));
      stoppers.push(async () => sweeper.stop());
    }

    const baseEnv = (): Record<string, string> => {
      const env: Record<string, string> = {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SESSION_TOKEN: 'local',
      };
      for (const [k, v] of Object.entries(ENDPOINT_ENV)) if (endpoints[k]) env[v] = endpoints[k]!;
      if (o.functionsDynamoDBEndpoint) env.AWS_ENDPOINT_URL_DYNAMODB = o.functionsDynamoDBEndpoint;
      return env;
    };
    // Failed asynchronous events go to the function's OnFailure destination or DLQ (SQS here).
    let sqs: SQSClient | undefined;
    const lambda = new LambdaService({
      template,
      rootDir: o.rootDir,
      region,
      accountId,
      baseEnv,
      fn: (id) => builder.functions.get(id),
      layer: (id) => builder.layers.get(id),
      log,
      stateDir,
      ...(o.functionConcurrency ? { maxPerFunction: o.functionConcurrency } : {}),
      sendOnFailure: async (target, body, error) => {
        if (!target.arn.startsWith('arn:aws:sqs:')) throw new Error(`on-failure target not emulated locally: ${target.arn}`);
        sqs ??= new SQSClient({ endpoint: endpoints.SQSEndpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
        const attributes = target.kind === 'dlq' ? { ErrorCode: { DataType: 'String', StringValue: error.code }, ErrorMessage: { DataType: 'String', StringValue: error.message.slice(0, 256) || error.code } } : undefined;
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrlFromArn(rt, target.arn), MessageBody: JSON.stringify(body), ...(attributes ? { MessageAttributes: attributes } : {}) }));
      },
    });
    stoppers.push(async () => {
      await lambda.stop();
      sqs?.destroy();
    });
    if (o.watch !== false) builder.watch((ids) => lambda.recycle(ids));

    const invoke = (id: string, event: unknown, opts?: { async?: boolean }): Promise<InvokeResult> => lambda.invoke(id, event, opts);
    const invokeApi = new LambdaInvokeApi(lambda, log);
    await invokeApi.listen(ports.lambda);
    stoppers.push(() => invokeApi.stop());

    const api = new ApiGateway({ template, region, accountId, invoke, functionIdOf: (arn) => lambda.resolveName(arn), log });
    const apiPort = await api.listen(o.ports?.api ?? ports.api);
    stoppers.push(() => api.stop());
    const apiIds = Object.keys(api.apis);
    const firstApi = apiIds[0] ? api.apis[apiIds[0]]! : undefined;
    endpoints.APIEndpoint = `${url(apiPort)}/${firstApi?.stage ?? 'Prod'}`;

    const rt: Runtime = { template, invoke, endpoints, stateDir, log, rootDir: o.rootDir, region, accountId, stackName };

    // Custom resources (e.g. the catalogue) run on a fresh state only, as a stack create would.
    if (freshState) await phase('customResources', runCustomResources(rt, lambda));

    const services: LocalService[] = [];
    const order = [...SERVICE_ORDER, ...Object.keys(serviceStarters).filter((k) => !(SERVICE_ORDER as readonly string[]).includes(k))];
    for (const name of order) {
      const start = serviceStarters[name];
      if (!start) continue;
      const port = (ports as Record<string, number>)[name] ?? (o.autoPorts ? await freePort() : 0);
      const svc = await phase(name, start(rt, port));
      services.push(svc);
      stoppers.push(() => svc.stop());
    }
    lambda.resumeAsync();

    // Outputs: the template's (resolved locally; the API URL rewritten to the local one) + endpoints.
    const outputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(template.outputs)) {
      outputs[k] = v.replace(/^https:\/\/[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com\/[^/]+\/?/, `${endpoints.APIEndpoint}/`);
    }
    const pool = Object.entries(template.resources).find(([, r]) => r.Type === 'AWS::Cognito::UserPool');
    const client = Object.entries(template.resources).find(([, r]) => r.Type === 'AWS::Cognito::UserPoolClient');
    Object.assign(outputs, endpoints, {
      Region: region,
      ...(pool ? { UserPoolId: template.refs[pool[0]]! } : {}),
      ...(client ? { UserPoolClientId: template.refs[client[0]]! } : {}),
    });
    outputs.APIEndpoint = endpoints.APIEndpoint;
    writeFileSync(join(stateDir, 'outputs.json'), JSON.stringify(outputs, null, 2) + '\n');

    const summary: string[] = [];
    const localDefaults = Object.keys(LOCAL_PARAMETER_DEFAULTS).filter((k) => k in template.parameters && !(k in (o.parameterOverrides ?? {})));
    summary.push(`parameters: ${Object.entries(template.parameters).map(([k, v]) => `${k}=${v}${localDefaults.includes(k) ? ' (local default)' : ''}`).join(' ')}`);
    summary.push('routes:');
    for (const r of api.routes) summary.push(`  ${r.method.padEnd(7)} ${r.path.padEnd(32)} ${r.functionId.padEnd(30)} ${r.authorizer ?? 'public'}`);
    summary.push('endpoints:');
    for (const [k, v] of Object.entries(endpoints)) summary.push(`  ${k.padEnd(24)} ${v}`);
    for (const s of services) for (const line of s.describe?.() ?? []) summary.push(line);
    const notEmulated = Object.entries(template.resources).filter(([, r]) => NOT_EMULATED[r.Type]).map(([id, r]) => `${id} (${NOT_EMULATED[r.Type]})`);
    // Features grouped, so a Globals setting reads as one line rather than one per function.
    const features = new Map<string, string[]>();
    const note = (feature: string, id: string) => features.set(feature, [...(features.get(feature) ?? []), id]);
    for (const [id, r] of Object.entries(template.resources)) {
      const p = r.Properties;
      if (p.ProvisionedConcurrencyConfig) note('provisioned concurrency', id);
      if (p.Tracing === 'Active' || p.TracingEnabled === true || (p.Tracing as { Enabled?: boolean } | undefined)?.Enabled) note('X-Ray tracing', id);
      if (p.AccessLogSetting) note('API access logs', id);
      if (p.PointInTimeRecoverySpecification) note('point-in-time recovery', id);
      if (p.LifecycleConfiguration) note('S3 lifecycle rules', id);
    }
    const fnFeatures = [...features].map(([f, ids]) => `${f} (${ids.length <= 3 ? ids.join(', ') : `${ids.length} resources`})`);
    const known = new Set(['AWS::Serverless::Function', 'AWS::Serverless::Api', 'AWS::Serverless::LayerVersion', 'AWS::DynamoDB::Table', 'AWS::Serverless::SimpleTable', 'AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolGroup', 'AWS::S3::Bucket', 'AWS::Serverless::StateMachine', 'AWS::SQS::Queue', 'AWS::Events::Rule', 'AWS::Lambda::Permission', 'AWS::CloudFormation::CustomResource']);
    const unknown = Object.entries(template.resources).filter(([, r]) => !known.has(r.Type) && !NOT_EMULATED[r.Type] && !r.Type.startsWith('Custom::')).map(([id, r]) => `${id} (${r.Type})`);
    const ne = [...notEmulated, ...fnFeatures, ...unknown];
    if (ne.length) summary.push(`not emulated: ${ne.join(', ')}`);

    const readyMs = Date.now() - t0;
    return {
      ...rt,
      outputs,
      routes: api.routes,
      readyMs,
      phases,
      summary,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

export function readOutputs(stateDir: string): Record<string, string> | undefined {
  const p = join(stateDir, 'outputs.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, string>) : undefined;
}
