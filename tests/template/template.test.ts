/**
 * Reads template.yaml as CloudFormation does (short-form tags) and checks the promises the
 * README and SPEC make about it: every route once with the right auth, every function built
 * the same way and observable, every table durable, every documented output present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTemplateFile, type Json, type JsonObject } from '../../local/src/template';

const root = join(__dirname, '..', '..');
const template = loadTemplateFile(join(root, 'template.yaml'));
const resources = template.Resources as Record<string, JsonObject>;
const props = (id: string): JsonObject => (resources[id]?.Properties ?? {}) as JsonObject;
const ofType = (type: string): string[] => Object.keys(resources).filter((id) => resources[id]!.Type === type);
const functions = ofType('AWS::Serverless::Function');
const globalsFn = ((template.Globals as JsonObject).Function ?? {}) as JsonObject;
/** A template value that must be a string (a path, a method). */
const text = (v: Json | undefined): string => {
  if (typeof v !== 'string') throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
};

interface Route {
  method: string;
  path: string;
  fn: string;
  auth: 'public' | 'auth';
}
const routes: Route[] = functions.flatMap((fn) =>
  Object.values((props(fn).Events ?? {}) as Record<string, JsonObject>)
    .filter((e) => e.Type === 'Api')
    .map((e) => {
      const p = e.Properties as JsonObject;
      const authorizer = ((p.Auth ?? {}) as JsonObject).Authorizer;
      return { method: text(p.Method).toUpperCase(), path: text(p.Path), fn, auth: authorizer === 'NONE' ? 'public' : 'auth' };
    }),
);

describe('API routes', () => {
  // Which routes exist, on which function, public or not: tests/contract/routes.test.ts against the route table.
  test('every route is declared once', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test('the TOKEN authorizer is the default and its policy is cached', () => {
    const auth = props('Api').Auth as JsonObject;
    expect(auth.DefaultAuthorizer).toBe('TokenAuthorizer');
    const authorizer = (auth.Authorizers as JsonObject).TokenAuthorizer as JsonObject;
    expect(authorizer.FunctionPayloadType).toBe('TOKEN');
    expect(((authorizer.Identity as JsonObject).ReauthorizeEvery as number) > 0).toBe(true);
  });
});

describe('functions', () => {
  test('every function runs nodejs22.x with active tracing (Globals, never overridden)', () => {
    expect(globalsFn.Runtime).toBe('nodejs22.x');
    expect(globalsFn.Tracing).toBe('Active');
    for (const fn of functions) {
      expect(props(fn).Runtime ?? globalsFn.Runtime).toBe('nodejs22.x');
      expect(props(fn).Tracing ?? globalsFn.Tracing).toBe('Active');
    }
  });

  test.each(functions)('%s builds with esbuild, the layer external, from its own package', (fn) => {
    const metadata = resources[fn]!.Metadata as JsonObject;
    expect(metadata.BuildMethod).toBe('esbuild');
    const build = metadata.BuildProperties as JsonObject;
    expect(build).toMatchObject({ Minify: true, Target: 'es2022', Sourcemap: true, Format: 'cjs' });
    expect(build.External as Json[]).toContain('@myapp/shared');
    const dir = join(root, text(props(fn).CodeUri));
    for (const file of ['handler.ts', 'handler.test.ts', 'package.json']) expect(existsSync(join(dir, file))).toBe(true);
    expect(props(fn).Handler).toBe('handler.handler');
  });

  test.each(functions)('%s has a log group with retention and errors and throttles alarms', (fn) => {
    const logGroup = props(`${fn}LogGroup`);
    expect(logGroup.LogGroupName).toEqual({ 'Fn::Sub': `/aws/lambda/\${${fn}}` });
    expect(logGroup.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
    for (const metric of ['Errors', 'Throttles']) {
      const alarm = Object.values(resources).find(
        (r) =>
          r.Type === 'AWS::CloudWatch::Alarm' &&
          (r.Properties as JsonObject).MetricName === metric &&
          JSON.stringify((r.Properties as JsonObject).Dimensions) ===
            JSON.stringify([{ Name: 'FunctionName', Value: { 'Fn::Sub': `\${${fn}}` } }]),
      );
      expect(alarm).toBeDefined();
    }
  });

  test('the layer builds with its Makefile target', () => {
    const layer = resources.SharedLayer!;
    expect((layer.Metadata as JsonObject).BuildMethod).toBe('makefile');
    const makefile = readFileSync(join(root, text(props('SharedLayer').ContentUri), 'Makefile'), 'utf8');
    expect(makefile).toMatch(/^build-SharedLayer:/m);
  });

  test('POST /orders has reserved concurrency and payment provisioned concurrency behind a condition', () => {
    expect(props('CreateOrderFunction').ReservedConcurrentExecutions).toEqual({ Ref: 'CreateOrderReservedConcurrency' });
    expect(props('ProcessPaymentFunction').AutoPublishAlias).toBeDefined();
    expect(JSON.stringify(props('ProcessPaymentFunction').ProvisionedConcurrencyConfig)).toContain('HasPaymentProvisionedConcurrency');
  });
});

describe('data', () => {
  test.each(ofType('AWS::DynamoDB::Table'))('%s is on-demand, encrypted, with point-in-time recovery', (table) => {
    const p = props(table);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  test('the stack keeps what holds data when it is deleted or a resource replaced', () => {
    const policies = (id: string) => [resources[id]!.DeletionPolicy, resources[id]!.UpdateReplacePolicy];
    const kept = [
      'UsersTable',
      'OrdersTable',
      'ProductsTable',
      'TodosTable',
      'UserPool',
      'OrderDLQ',
      'EventsDLQ',
      'UploadsBucket',
      'ExportsBucket',
    ];
    for (const id of kept) expect({ id, policies: policies(id) }).toEqual({ id, policies: ['Retain', 'Retain'] });
    // Short-lived data goes with the stack, by an explicit choice (cfn-lint I3011).
    for (const id of ['IdempotencyTable', ...ofType('AWS::Logs::LogGroup')])
      expect({ id, policies: policies(id) }).toEqual({ id, policies: ['Delete', 'Delete'] });
  });

  test('the five tables of SPEC 5 exist', () => {
    expect(ofType('AWS::DynamoDB::Table').sort()).toEqual(
      ['IdempotencyTable', 'OrdersTable', 'ProductsTable', 'TodosTable', 'UsersTable'].sort(),
    );
  });

  test.each(ofType('AWS::S3::Bucket'))('%s blocks public access and is encrypted', (bucket) => {
    const p = props(bucket);
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(p.BucketEncryption).toBeDefined();
  });
});

describe('operations', () => {
  test('every alarm notifies the alarms topic', () => {
    for (const id of ofType('AWS::CloudWatch::Alarm')) {
      expect(props(id).AlarmActions).toEqual([{ Ref: 'AlarmsTopic' }]);
    }
  });

  test.each([
    'APIEndpoint',
    'UserPool',
    'UserPoolClient',
    'CognitoLoginURL',
    'CognitoAuthCommand',
    'AlarmsTopic',
    'DashboardURL',
    'WebURL',
  ])('output %s exists', (name) => {
    expect((template.Outputs as JsonObject)[name]).toBeDefined();
  });
});
