/**
 * `sam local invoke|start-api --env-vars events/env.local.json` reaches what `npm start` runs.
 *
 * SAM passes a function only the environment variables its template declares: overrides
 * from the --env-vars file (its `Parameters` for every function, then the function's own
 * `<LogicalId>` section) replace declared values and never add names. This suite applies
 * that rule, as SAM CLI 1.164.0 writes it, to template.yaml and events/env.local.json and
 * compares each function's environment with the one `npm start` gives the same function
 * (table names, ARNs, Cognito ids and endpoints), seen from SAM's Docker container.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PORTS, resolveStackTemplate } from '../../local/src/registry';
import { loadTemplateFile, textOf, type JsonObject } from '../../local/src/template';
import { isObject, samDeclared as declaredIn, samResolve, stringify, type EnvVarsFile } from '../support/sam-env';

const root = join(__dirname, '..', '..');
const raw = loadTemplateFile(join(root, 'template.yaml'));
const envVarsFile = JSON.parse(readFileSync(join(root, 'events', 'env.local.json'), 'utf8')) as EnvVarsFile;
const resources = raw.Resources as Record<string, JsonObject>;
const functionIds = Object.keys(resources).filter((id) => resources[id]!.Type === 'AWS::Serverless::Function');
const samDeclared = (id: string) => declaredIn(raw, id);

// ---- What `npm start` gives the same function ---------------------------------------

/** `npm start`'s default ports are the registry's (DEFAULT_PORTS). */
const url = (port: number | undefined) => {
  if (port === undefined) throw new Error('no such service in the registry');
  return `http://127.0.0.1:${port}`;
};
/** The endpoints `npm start` serves on its default ports, by the SDK's variable name. */
const LOCAL_ENDPOINTS: Record<string, string> = {
  AWS_ENDPOINT_URL_DYNAMODB: url(DEFAULT_PORTS.dynamodb),
  AWS_ENDPOINT_URL_DYNAMODB_STREAMS: url(DEFAULT_PORTS.dynamodb),
  AWS_ENDPOINT_URL_SFN: url(DEFAULT_PORTS.stepfunctions),
  AWS_ENDPOINT_URL_EVENTBRIDGE: url(DEFAULT_PORTS.eventbridge),
  AWS_ENDPOINT_URL_S3: url(DEFAULT_PORTS.s3),
  AWS_ENDPOINT_URL_SQS: url(DEFAULT_PORTS.sqs),
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: url(DEFAULT_PORTS.cognito),
  AWS_ENDPOINT_URL_LAMBDA: url(DEFAULT_PORTS.lambda),
};
// Resolved as `npm start` resolves it: names, ARNs and local URLs from the registry's modules.
const local = resolveStackTemplate(raw, {
  ctx: { urls: Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([name, port]) => [name, url(port)])) },
});

/** The template's variables as `npm start` resolves them; an empty endpoint is its own. */
function npmStartEnv(id: string): Record<string, string> {
  const vars = ((local.resources[id]!.Properties.Environment as JsonObject | undefined)?.Variables ?? {}) as JsonObject;
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, v === '' && k in LOCAL_ENDPOINTS ? LOCAL_ENDPOINTS[k]! : stringify(v)]),
  );
}

/** Inside SAM's container the host is host.docker.internal; an issuer is a name, not an address. */
const IDENTIFIERS = new Set(['JWT_ISSUER']);
const fromContainer = (name: string, value: string) =>
  IDENTIFIERS.has(name) ? value : value.replace(/^http:\/\/127\.0\.0\.1:/, 'http://host.docker.internal:');
/** Differences on purpose: more logging under sam local. */
const DELIBERATE: Record<string, string> = { POWERTOOLS_LOG_LEVEL: 'DEBUG' };

// ---- Which AWS services each function calls ------------------------------------------

/** The SDK's own variable name for a client: AWS_ENDPOINT_URL_ + its serviceId, upper case, spaces as _. */
function endpointVariable(sdkPackage: string): string {
  const client = sdkPackage === '@aws-sdk/lib-dynamodb' ? '@aws-sdk/client-dynamodb' : sdkPackage;
  const source = readFileSync(require.resolve(client, { paths: [root] }), 'utf8');
  const serviceId = /serviceId: config\?\.serviceId \?\? "([^"]+)"/.exec(source)?.[1];
  if (!serviceId) throw new Error(`no serviceId in ${client}`);
  return ['AWS_ENDPOINT_URL', ...serviceId.split(' ').map((w) => w.toUpperCase())].join('_');
}

/** Bundles every handler with the layer's sources, the SDK left external, and lists the SDK packages each one imports. */
async function sdkPackagesByFunction(): Promise<Record<string, string[]>> {
  const entries = Object.fromEntries(
    functionIds.map((id) => [id, join(root, textOf((resources[id]!.Properties as JsonObject).CodeUri, '', `${id} CodeUri`), 'handler.ts')]),
  );
  const result = await build({
    entryPoints: entries,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    outdir: 'out',
    metafile: true,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  const byFunction: Record<string, string[]> = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    const id = /^out\/(.+)\.js$/.exec(out)?.[1];
    if (!id) continue;
    const sdk = meta.imports.filter((i) => i.external && /^@aws-sdk\/(client-|lib-dynamodb$)/.test(i.path)).map((i) => i.path);
    byFunction[id] = [...new Set(sdk)].sort();
  }
  return byFunction;
}

// ---- Tests ---------------------------------------------------------------------------

describe('SAM CLI env-vars rule (as modelled)', () => {
  const file = { Parameters: { TABLE: 'p-table', ONLY_IN_FILE: 'x', FLAG: true }, Fn: { TABLE: 'fn-table' } } as EnvVarsFile;

  it('never adds a name the template does not declare', () => {
    expect(samResolve({ TABLE: 'default' }, file, 'Other')).toEqual({ TABLE: 'p-table' });
  });

  it('lets the function section win over Parameters, and either over the shell and the template', () => {
    expect(samResolve({ TABLE: 'default' }, file, 'Fn', { TABLE: 'shell' })).toEqual({ TABLE: 'fn-table' });
    expect(samResolve({ OTHER: 'default' }, file, 'Fn', { OTHER: 'shell' })).toEqual({ OTHER: 'shell' });
  });

  it('turns unresolved intrinsics into "" and booleans into lower case', () => {
    expect(samResolve({ ARN: { 'Fn::GetAtt': ['X', 'Arn'] }, FLAG: 'no' }, file, 'Fn')).toEqual({ ARN: '', FLAG: 'true' });
  });

  it('refuses a file whose sections are not objects, as SAM does', () => {
    expect(() => samResolve({}, { Parameters: 'x' }, 'Fn')).toThrow('incorrect format');
  });
});

describe('events/env.local.json', () => {
  it('has only a Parameters section and sections named after functions of the template', () => {
    for (const [key, section] of Object.entries(envVarsFile)) {
      expect(isObject(section)).toBe(true);
      if (key !== 'Parameters') expect(functionIds).toContain(key);
    }
  });

  it('sets only names some function declares (SAM would drop the others silently)', () => {
    const declaredAnywhere = new Set(functionIds.flatMap((id) => Object.keys(samDeclared(id))));
    for (const name of Object.keys(envVarsFile.Parameters as JsonObject)) expect([name, declaredAnywhere.has(name)]).toEqual([name, true]);
    for (const id of functionIds.filter((f) => f in envVarsFile)) {
      for (const name of Object.keys(envVarsFile[id] as JsonObject)) expect([id, name, name in samDeclared(id)]).toEqual([id, name, true]);
    }
  });
});

describe('every function under sam local gets what npm start gives it', () => {
  test.each(functionIds)('%s', (id) => {
    const sam = samResolve(samDeclared(id), envVarsFile, id);
    const expected = Object.fromEntries(Object.entries(npmStartEnv(id)).map(([k, v]) => [k, DELIBERATE[k] ?? fromContainer(k, v)]));
    expect(sam).toEqual(expected);
    // The point of it all: DynamoDB Local, not DynamoDB in us-east-1.
    expect(sam.AWS_ENDPOINT_URL_DYNAMODB).toBe(`http://host.docker.internal:${DEFAULT_PORTS.dynamodb}`);
  });
});

describe('every AWS service a function calls', () => {
  let sdk: Record<string, string[]>;
  beforeAll(async () => {
    sdk = await sdkPackagesByFunction();
  }, 60_000);

  it('is found for every function (the analysis itself works)', () => {
    expect(Object.keys(sdk).sort()).toEqual([...functionIds].sort());
    expect(sdk.UploadsFunction).toContain('@aws-sdk/client-s3');
    expect(sdk.OrdersFunction).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sfn']));
  });

  test.each(functionIds)('%s: is reached at its local endpoint under sam local and npm start, and at AWS when deployed', (id) => {
    const sam = samResolve(samDeclared(id), envVarsFile, id);
    const started = npmStartEnv(id);
    const declared = samDeclared(id);
    for (const pkg of sdk[id]!) {
      const name = endpointVariable(pkg);
      const localEndpoint = LOCAL_ENDPOINTS[name];
      expect([pkg, name, localEndpoint !== undefined]).toEqual([pkg, name, true]);
      expect([name, declared[name]]).toEqual([name, '']); // deployed: the SDK's default endpoint
      expect([name, started[name]]).toEqual([name, localEndpoint]);
      expect([name, sam[name]]).toEqual([name, fromContainer(name, localEndpoint!)]);
    }
  });
});
