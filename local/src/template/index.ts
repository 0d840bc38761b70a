/**
 * template.yaml → local values: loads CloudFormation YAML (every short-form intrinsic),
 * merges SAM Globals, applies parameters and conditions, and resolves intrinsics to the
 * names, ARNs and endpoints the local runtime serves. The template is the only source.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { expandLanguageExtensions } from './language-extensions';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface Resource {
  Type: string;
  Properties: JsonObject;
  Metadata?: JsonObject;
  Condition?: string;
  DependsOn?: Json;
}

export interface ResolvedTemplate {
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
  resources: Record<string, Resource>;
  outputs: Record<string, string>;
  /** Physical ids (what Ref returns) by logical id. */
  refs: Record<string, string>;
  warnings: string[];
  /** Resources dropped because their Condition is false. */
  skipped: string[];
  raw: JsonObject;
}

export interface LocalContext {
  region: string;
  accountId: string;
  stackName: string;
  /** Base URL of the local Cognito endpoint, e.g. http://127.0.0.1:9229. */
  cognitoUrl?: string;
  /** Local endpoints by service, used for queue URLs. */
  sqsUrl?: string;
  apiUrl?: string;
}

/** Parameters whose local default differs from the template's (SPEC 7: an order completes at once). */
export const LOCAL_PARAMETER_DEFAULTS: Record<string, string> = { OrderHoldSeconds: '0' };

const INTRINSICS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or'];

function toJs(v: unknown): unknown {
  return v && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v;
}

/** Short forms (`!Ref x`, `!GetAtt a.b`, `!Sub [...]`) as their long forms. */
export const cfnTags: Tags = [
  { tag: '!Ref', resolve: (v: string) => ({ Ref: v }) },
  { tag: '!Condition', resolve: (v: string) => ({ Condition: v }) },
  ...INTRINSICS.flatMap((name) => [
    {
      tag: `!${name}`,
      resolve: (v: string) => {
        if (name === 'GetAtt') {
          const i = v.indexOf('.');
          return { 'Fn::GetAtt': [v.slice(0, i), v.slice(i + 1)] };
        }
        return { [`Fn::${name}`]: v };
      },
    },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (v: unknown) => ({ [`Fn::${name}`]: toJs(v) }) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (v: unknown) => ({ [`Fn::${name}`]: toJs(v) }) },
  ]),
];

export function loadTemplateFile(path: string): JsonObject {
  const text = readFileSync(path, 'utf8');
  const doc = parse(text, { customTags: cfnTags, maxAliasCount: -1 }) as unknown;
  if (!doc || typeof doc !== 'object' || !('Resources' in doc)) throw new Error(`${path}: not a CloudFormation template (no Resources)`);
  return expandLanguageExtensions(doc as JsonObject);
}

function isObj(v: unknown): v is JsonObject {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge as SAM does for Globals: maps merge, lists concatenate, scalars from the resource win. */
function mergeGlobals(global: Json, own: Json | undefined): Json {
  if (own === undefined) return structuredClone(global);
  if (isObj(global) && isObj(own)) {
    const out: JsonObject = { ...structuredClone(global) };
    for (const [k, v] of Object.entries(own)) out[k] = k in global ? mergeGlobals(global[k] as Json, v) : v;
    return out;
  }
  if (Array.isArray(global) && Array.isArray(own)) return [...global, ...own];
  return own;
}

const GLOBAL_SECTIONS: Record<string, string> = {
  Function: 'AWS::Serverless::Function',
  Api: 'AWS::Serverless::Api',
  HttpApi: 'AWS::Serverless::HttpApi',
  SimpleTable: 'AWS::Serverless::SimpleTable',
  StateMachine: 'AWS::Serverless::StateMachine',
  LayerVersion: 'AWS::Serverless::LayerVersion',
};

/** Ref ids: Cognito-shaped pool ids and client ids stable per logical id, so tokens survive restarts. */
function stableId(seed: string, len: number, alphabet: string): string {
  const h = createHash('sha256').update(seed).digest();
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[h[i]! % alphabet.length];
  return s;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function parseParameterOverrides(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items.flatMap((s) => s.split(/\s+/)).filter(Boolean)) {
    // Accept both Key=Value and SAM's ParameterKey=K,ParameterValue=V.
    const sam = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(item);
    if (sam) out[sam[1]!] = sam[2]!;
    else {
      const i = item.indexOf('=');
      if (i <= 0) throw new Error(`--parameter-overrides: expected Key=Value, got "${item}"`);
      out[item.slice(0, i)] = item.slice(i + 1);
    }
  }
  return out;
}

export function physicalId(logicalId: string, type: string, ctx: LocalContext): string {
  const { region, accountId, stackName } = ctx;
  switch (type) {
    case 'AWS::DynamoDB::Table':
    case 'AWS::Serverless::SimpleTable':
      return `${stackName}-${logicalId}`;
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Function':
      return `${stackName}-${logicalId}`;
    case 'AWS::Cognito::UserPool':
      return `${region}_${stableId(`${stackName}/${logicalId}`, 9, ALNUM)}`;
    case 'AWS::Cognito::UserPoolClient':
      return stableId(`${stackName}/${logicalId}/client`, 26, LOWER_ALNUM);
    case 'AWS::S3::Bucket':
      return `${stackName}-${logicalId.toLowerCase()}`;
    case 'AWS::Serverless::StateMachine':
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${region}:${accountId}:stateMachine:${stackName}-${logicalId}`;
    case 'AWS::SQS::Queue':
      return `${ctx.sqsUrl ?? 'http://127.0.0.1:9324'}/${accountId}/${stackName}-${logicalId}`;
    case 'AWS::Serverless::Api':
    case 'AWS::ApiGateway::RestApi':
      return stableId(`${stackName}/${logicalId}/api`, 10, LOWER_ALNUM);
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${region}:${accountId}:${stackName}-${logicalId}`;
    case 'AWS::Serverless::LayerVersion':
    case 'AWS::Lambda::LayerVersion':
      return `arn:aws:lambda:${region}:${accountId}:layer:${stackName}-${logicalId}:1`;
    case 'AWS::IAM::Role':
    case 'AWS::Logs::LogGroup':
    case 'AWS::Events::Rule':
    case 'AWS::Events::EventBus':
    default:
      return `${stackName}-${logicalId}`;
  }
}

/** The queue name part of a local queue URL (kept with physicalId so both agree). */
export function queueName(logicalId: string, props: JsonObject, stackName: string): string {
  return typeof props.QueueName === 'string' ? props.QueueName : `${stackName}-${logicalId}`;
}

function getAtt(logicalId: string, attr: string, type: string, ref: string, props: JsonObject, ctx: LocalContext): string | undefined {
  const { region, accountId } = ctx;
  switch (type) {
    case 'AWS::DynamoDB::Table':
    case 'AWS::Serverless::SimpleTable':
      if (attr === 'Arn') return `arn:aws:dynamodb:${region}:${accountId}:table/${ref}`;
      // The real label is a timestamp; the streams service reads the table from the ARN.
      if (attr === 'StreamArn') return `arn:aws:dynamodb:${region}:${accountId}:table/${ref}/stream/local`;
      break;
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Function':
      if (attr === 'Arn') return `arn:aws:lambda:${region}:${accountId}:function:${ref}`;
      break;
    case 'AWS::Cognito::UserPool':
      if (attr === 'Arn') return `arn:aws:cognito-idp:${region}:${accountId}:userpool/${ref}`;
      if (attr === 'ProviderName') return `cognito-idp.${region}.amazonaws.com/${ref}`;
      if (attr === 'ProviderURL') return `https://cognito-idp.${region}.amazonaws.com/${ref}`;
      if (attr === 'UserPoolId') return ref;
      break;
    case 'AWS::S3::Bucket':
      if (attr === 'Arn') return `arn:aws:s3:::${ref}`;
      if (attr === 'DomainName' || attr === 'RegionalDomainName') return `${ref}.s3.${region}.amazonaws.com`;
      break;
    case 'AWS::SQS::Queue':
      if (attr === 'Arn') return `arn:aws:sqs:${region}:${accountId}:${queueName(logicalId, props, ctx.stackName)}`;
      if (attr === 'QueueName') return queueName(logicalId, props, ctx.stackName);
      if (attr === 'QueueUrl') return ref;
      break;
    case 'AWS::Serverless::StateMachine':
    case 'AWS::StepFunctions::StateMachine':
      if (attr === 'Arn') return ref;
      if (attr === 'Name') return ref.split(':').pop();
      break;
    case 'AWS::SNS::Topic':
      if (attr === 'TopicArn' || attr === 'Arn') return ref;
      break;
    case 'AWS::Serverless::Api':
    case 'AWS::ApiGateway::RestApi':
      if (attr === 'RootResourceId') return 'root';
      break;
    case 'AWS::IAM::Role':
      if (attr === 'Arn') return `arn:aws:iam::${accountId}:role/${ref}`;
      break;
    case 'AWS::Events::Rule':
    case 'AWS::Events::EventBus':
      if (attr === 'Arn') return `arn:aws:events:${region}:${accountId}:rule/${ref}`;
      break;
  }
  if (attr === 'Arn') return `arn:aws:local:${region}:${accountId}:${ref}`;
  return undefined;
}

export interface ResolveOptions {
  parameterOverrides?: Record<string, string>;
  /** Apply LOCAL_PARAMETER_DEFAULTS (the runtime does; a deploy check would not). */
  localDefaults?: boolean;
  ctx?: Partial<LocalContext>;
}

export function resolveTemplate(raw: JsonObject, opts: ResolveOptions = {}): ResolvedTemplate {
  const ctx: LocalContext = { region: 'us-east-1', accountId: '123456789012', stackName: 'myapp', ...opts.ctx };
  const warnings: string[] = [];
  const overrides = opts.parameterOverrides ?? {};

  // Parameters: override > local default > template default.
  const paramDefs = (isObj(raw.Parameters) ? raw.Parameters : {}) as Record<string, JsonObject>;
  for (const k of Object.keys(overrides)) if (!(k in paramDefs)) throw new Error(`Parameter override "${k}" is not a parameter of the template (known: ${Object.keys(paramDefs).join(', ')})`);
  const parameters: Record<string, string> = {};
  for (const [name, def] of Object.entries(paramDefs)) {
    let value: Json | undefined = overrides[name];
    if (value === undefined && opts.localDefaults !== false && name in LOCAL_PARAMETER_DEFAULTS) value = LOCAL_PARAMETER_DEFAULTS[name]!;
    if (value === undefined) value = def.Default;
    if (value === undefined) throw new Error(`Parameter "${name}" has no Default: pass --parameter-overrides ${name}=<value>`);
    const str = Array.isArray(value) ? value.join(',') : String(value);
    if (Array.isArray(def.AllowedValues) && !def.AllowedValues.map(String).includes(str)) {
      throw new Error(`Parameter "${name}"="${str}" is not one of its AllowedValues: ${def.AllowedValues.join(', ')}`);
    }
    if (typeof def.AllowedPattern === 'string' && !new RegExp(`^(?:${def.AllowedPattern})$`).test(str)) {
      throw new Error(`Parameter "${name}"="${str}" does not match its AllowedPattern ${def.AllowedPattern}`);
    }
    if (def.Type === 'Number' && Number.isNaN(Number(str))) throw new Error(`Parameter "${name}" must be a Number, got "${str}"`);
    parameters[name] = str;
  }

  // Globals merged into each serverless resource of the matching kind.
  const globals = (isObj(raw.Globals) ? raw.Globals : {}) as Record<string, JsonObject>;
  const rawResources = (raw.Resources ?? {}) as Record<string, JsonObject>;
  const merged: Record<string, JsonObject> = {};
  for (const [id, res] of Object.entries(rawResources)) {
    const section = Object.entries(GLOBAL_SECTIONS).find(([, t]) => t === res.Type)?.[0];
    const g = section ? globals[section] : undefined;
    merged[id] = g ? { ...res, Properties: mergeGlobals(g, (res.Properties ?? {}) as Json) as JsonObject } : { ...res, Properties: (res.Properties ?? {}) as JsonObject };
  }

  const refs: Record<string, string> = {};
  for (const [id, res] of Object.entries(merged)) refs[id] = physicalId(id, String(res.Type), ctx);
  const mappings = (isObj(raw.Mappings) ? raw.Mappings : {}) as JsonObject;

  const pseudo: Record<string, string> = {
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.accountId,
    'AWS::StackName': ctx.stackName,
    'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/local`,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const NO_VALUE = Symbol('NoValue');
  const conditions: Record<string, boolean> = {};
  const condDefs = (isObj(raw.Conditions) ? raw.Conditions : {}) as JsonObject;

  const refOf = (name: string): string | string[] | typeof NO_VALUE => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name]!;
    if (name === 'AWS::NotificationARNs') return [];
    if (name in parameters) {
      // List parameters Ref as lists, as in CloudFormation.
      const type = String(paramDefs[name]?.Type ?? 'String');
      return type === 'CommaDelimitedList' || type.startsWith('List<') ? parameters[name]!.split(',').map((x) => x.trim()) : parameters[name]!;
    }
    if (name in refs) return refs[name]!;
    warnings.push(`Ref ${name}: unknown name, left as "${name}"`);
    return name;
  };

  const condition = (name: string): boolean => {
    if (name in conditions) return conditions[name]!;
    if (!(name in condDefs)) throw new Error(`Condition "${name}" is not declared`);
    const v = resolve(condDefs[name]!, `Conditions.${name}`);
    conditions[name] = Boolean(v);
    return conditions[name]!;
  };

  function resolve(node: Json, where: string): Json | typeof NO_VALUE {
    if (Array.isArray(node)) {
      return node.map((n, i) => resolve(n, `${where}[${i}]`)).filter((n): n is Json => n !== NO_VALUE);
    }
    if (!isObj(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const k = keys[0]!;
      const arg = node[k]!;
      const r = (n: Json): Json => {
        const v = resolve(n, where);
        return v === NO_VALUE ? null : v;
      };
      switch (k) {
        case 'Ref':
          return refOf(String(arg));
        case 'Condition':
          if (typeof arg === 'string') return condition(arg);
          break;
        case 'Fn::GetAtt': {
          const [id, ...rest] = Array.isArray(arg) ? arg.map((a) => String(r(a))) : String(arg).split('.');
          const attr = rest.join('.');
          const res = merged[id!];
          if (!res) {
            warnings.push(`${where}: GetAtt ${id}.${attr}: no such resource`);
            return `${id}.${attr}`;
          }
          const v = getAtt(id!, attr, String(res.Type), refs[id!]!, res.Properties as JsonObject, ctx);
          if (v === undefined) {
            warnings.push(`${where}: GetAtt ${id}.${attr} has no local value`);
            return `${refs[id!]}.${attr}`;
          }
          return v;
        }
        case 'Fn::Sub': {
          const [tpl, vars] = Array.isArray(arg) ? [String(arg[0]), (arg[1] ?? {}) as JsonObject] : [String(arg), {} as JsonObject];
          return tpl.replace(/\$\{(!?)([^}]+)\}/g, (all, bang: string, expr: string) => {
            if (bang) return `\${${expr}}`; // ${!Literal} stays literal
            if (expr in vars) return String(r(vars[expr]!));
            if (expr.includes('.') && !expr.startsWith('AWS::')) {
              const i = expr.indexOf('.');
              return String(r({ 'Fn::GetAtt': [expr.slice(0, i), expr.slice(i + 1)] }));
            }
            const v = refOf(expr);
            return v === NO_VALUE ? '' : String(v);
          });
        }
        case 'Fn::Join': {
          const [sep, list] = arg as [string, Json];
          const items = r(list);
          return (Array.isArray(items) ? items : []).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [idx, list] = arg as [Json, Json];
          const items = r(list);
          return Array.isArray(items) ? (items[Number(r(idx))] ?? null) : null;
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, Json];
          return String(r(s)).split(sep);
        }
        case 'Fn::If': {
          const [c, a, b] = arg as [string, Json, Json];
          return resolve(condition(c) ? a : b, where);
        }
        case 'Fn::Equals': {
          const [a, b] = arg as [Json, Json];
          return String(r(a)) === String(r(b));
        }
        case 'Fn::Not':
          return !r((arg as Json[])[0]!);
        case 'Fn::And':
          return (arg as Json[]).every((a) => Boolean(r(a)));
        case 'Fn::Or':
          return (arg as Json[]).some((a) => Boolean(r(a)));
        case 'Fn::FindInMap': {
          const [m, k1, k2] = (arg as Json[]).map((a) => String(r(a)));
          const v = ((mappings[m!] as JsonObject | undefined)?.[k1!] as JsonObject | undefined)?.[k2!];
          if (v === undefined) throw new Error(`${where}: FindInMap ${m}.${k1}.${k2} not found`);
          return v;
        }
        case 'Fn::Base64':
          return Buffer.from(String(r(arg))).toString('base64');
        case 'Fn::GetAZs':
          return ['a', 'b', 'c'].map((z) => `${ctx.region}${z}`);
        case 'Fn::ImportValue':
          warnings.push(`${where}: ImportValue ${JSON.stringify(r(arg))} has no local stack to import from`);
          return String(r(arg));
        case 'Fn::Cidr': {
          const [block, count] = (arg as Json[]).map((a) => r(a));
          warnings.push(`${where}: Fn::Cidr is not computed locally`);
          return Array.from({ length: Number(count) }, () => String(block));
        }
      }
    }
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(node)) {
      const rv = resolve(v, `${where}.${k}`);
      if (rv !== NO_VALUE) out[k] = rv;
    }
    return out;
  }

  for (const name of Object.keys(condDefs)) condition(name);

  const resources: Record<string, Resource> = {};
  const skipped: string[] = [];
  for (const [id, res] of Object.entries(merged)) {
    if (typeof res.Condition === 'string' && !condition(res.Condition)) {
      skipped.push(id);
      continue;
    }
    const resolved = resolve(res.Properties as Json, `Resources.${id}`) as JsonObject;
    resources[id] = {
      Type: String(res.Type),
      Properties: rewriteEndpoints(resolved, ctx) as JsonObject,
      ...(isObj(res.Metadata) ? { Metadata: res.Metadata } : {}),
      ...(typeof res.Condition === 'string' ? { Condition: res.Condition } : {}),
    };
  }

  const outputs: Record<string, string> = {};
  for (const [name, o] of Object.entries((raw.Outputs ?? {}) as Record<string, JsonObject>)) {
    if (typeof o.Condition === 'string' && !condition(o.Condition)) continue;
    const v = resolve(o.Value as Json, `Outputs.${name}`);
    if (v !== NO_VALUE) outputs[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }

  return { parameters, conditions, resources, outputs, refs, warnings, skipped, raw };
}

/** Cognito's public URLs point at the local endpoint, so the authorizer needs no local branch. */
export function rewriteEndpoints(node: Json, ctx: LocalContext): Json {
  if (!ctx.cognitoUrl) return node;
  if (typeof node === 'string') {
    const m = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/(.*)$/.exec(node);
    return m ? `${ctx.cognitoUrl}/${m[1]}` : node;
  }
  if (Array.isArray(node)) return node.map((n) => rewriteEndpoints(n, ctx));
  if (isObj(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rewriteEndpoints(v, ctx)]));
  return node;
}

export function loadTemplate(path: string, opts: ResolveOptions = {}): ResolvedTemplate {
  return resolveTemplate(loadTemplateFile(path), opts);
}

export function resourcesOfType(t: ResolvedTemplate, ...types: string[]): [string, Resource][] {
  return Object.entries(t.resources).filter(([, r]) => types.includes(r.Type));
}

export interface TableDefinition {
  logicalId: string;
  input: CreateTableCommandInput;
  /** TTL attribute to enable with UpdateTimeToLive, if the table declares one. */
  ttlAttribute?: string;
}

/**
 * CreateTable inputs for DynamoDB Local from the resolved template (keys, GSIs, LSIs,
 * streams). Billing settings are normalised: DynamoDB Local accepts both modes.
 */
export function tableDefinitionsFromTemplate(t: ResolvedTemplate): TableDefinition[] {
  const defs: TableDefinition[] = [];
  for (const [logicalId, r] of resourcesOfType(t, 'AWS::DynamoDB::Table', 'AWS::Serverless::SimpleTable')) {
    const p = r.Properties as Record<string, any>;
    const name = typeof p.TableName === 'string' ? p.TableName : t.refs[logicalId]!;
    if (r.Type === 'AWS::Serverless::SimpleTable') {
      const pk = (p.PrimaryKey ?? { Name: 'id', Type: 'String' }) as { Name: string; Type: string };
      defs.push({
        logicalId,
        input: {
          TableName: name,
          AttributeDefinitions: [{ AttributeName: pk.Name, AttributeType: pk.Type === 'Number' ? 'N' : pk.Type === 'Binary' ? 'B' : 'S' }],
          KeySchema: [{ AttributeName: pk.Name, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        },
      });
      continue;
    }
    const indexes = (list: any[] | undefined) =>
      list?.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection ?? { ProjectionType: 'ALL' } }));
    const input: CreateTableCommandInput = {
      TableName: name,
      AttributeDefinitions: p.AttributeDefinitions,
      KeySchema: p.KeySchema,
      BillingMode: 'PAY_PER_REQUEST',
    };
    const gsis = indexes(p.GlobalSecondaryIndexes);
    if (gsis?.length) input.GlobalSecondaryIndexes = gsis;
    const lsis = indexes(p.LocalSecondaryIndexes);
    if (lsis?.length) input.LocalSecondaryIndexes = lsis;
    if (p.StreamSpecification?.StreamViewType) input.StreamSpecification = { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType };
    const ttl = p.TimeToLiveSpecification;
    defs.push({ logicalId, input, ...(ttl?.Enabled !== false && ttl?.AttributeName ? { ttlAttribute: String(ttl.AttributeName) } : {}) });
  }
  return defs;
}
