/**
 * Lambda's names for the template's functions and layers: physical names, ARNs, SAM's
 * `AutoPublishAlias` (`Ref Fn.Alias` is the alias ARN; invoking it invokes the function),
 * and the reverse: which function a name, ARN or qualified ARN means.
 */
import type { NamedResource, ResourceKind, StackContext } from '../contract';
import { tracing } from '../kinds';
import { declaredName, type ResolvedTemplate } from '../template';

export const FUNCTION_TYPES = ['AWS::Serverless::Function', 'AWS::Lambda::Function'] as const;

const functionArn = (r: NamedResource, ctx: StackContext) => `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${r.ref}`;

/** SAM's AutoPublishAlias: the alias a function publishes, if any. */
function aliasOf(props: Record<string, unknown> | undefined): string | undefined {
  const alias = props?.AutoPublishAlias;
  return typeof alias === 'string' && alias ? alias : undefined;
}

export const functionKind: ResourceKind = {
  types: FUNCTION_TYPES,
  physicalId: (r, ctx) => declaredName(r, 'FunctionName', ctx),
  arn: functionArn,
  // SAM generates `<Id>Alias<alias>` (and a version) for AutoPublishAlias; `Ref <Id>.Alias` is the alias ARN.
  references: (r, ctx) => {
    const alias = r.prop('AutoPublishAlias');
    if (typeof alias !== 'string' || !alias) return {};
    const aliasArn = `${functionArn(r, ctx)}:${alias}`;
    return {
      [`${r.logicalId}.Alias`]: aliasArn,
      [`${r.logicalId}Alias${alias}`]: aliasArn,
      [`${r.logicalId}.Version`]: `${functionArn(r, ctx)}:1`,
    };
  },
  // Provisioned concurrency is not listed: its processes start with the runtime (LambdaService.prewarm).
  features: (p) => tracing(p),
};

export const layerKind: ResourceKind = {
  types: ['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion'],
  // Ref of a layer version is its ARN; every local layer is version 1.
  physicalId: (r, ctx) => `arn:aws:lambda:${ctx.region}:${ctx.accountId}:layer:${declaredName(r, 'LayerName', ctx)}:1`,
};

export const permissionKind: ResourceKind = {
  types: ['AWS::Lambda::Permission'],
  notEmulated: { label: 'Lambda permissions', note: 'not enforced (no authorisation locally)' },
};

/** Functions the local Lambda runs (built from CodeUri). */
export function isLocalFunction(t: ResolvedTemplate, logicalId: string): boolean {
  return t.resources[logicalId]?.Type === 'AWS::Serverless::Function';
}

/** `name`, `name:qualifier`, `arn:aws:lambda:r:a:function:name[:qualifier]` or `a:function:name` → parts. */
function parseFunctionRef(nameOrArn: string): { name: string; qualifier?: string } {
  const tail = nameOrArn.includes(':function:') ? nameOrArn.slice(nameOrArn.indexOf(':function:') + ':function:'.length) : nameOrArn;
  const [name = '', qualifier] = tail.split(':');
  return qualifier === undefined ? { name } : { name, qualifier };
}

/**
 * The logical id a logical id, function name, ARN or qualified ARN names; undefined for
 * none, or for a qualifier other than `$LATEST`, version 1 or the function's alias.
 */
export function functionIdOf(t: ResolvedTemplate, nameOrArn: string): string | undefined {
  const { name, qualifier } = parseFunctionRef(nameOrArn);
  const id = isLocalFunction(t, name) ? name : Object.keys(t.refs).find((k) => t.refs[k] === name && isLocalFunction(t, k));
  if (!id || qualifier === undefined) return id;
  const known = ['$LATEST', '1', aliasOf(t.resources[id]?.Properties)];
  return known.includes(qualifier) ? id : undefined;
}

/** A function's log group, as Lambda names it: `LoggingConfig.LogGroup`, else `/aws/lambda/<FunctionName>`. */
export function functionLogGroup(t: ResolvedTemplate, logicalId: string): string {
  const config = t.resources[logicalId]?.Properties.LoggingConfig as { LogGroup?: unknown } | undefined;
  return typeof config?.LogGroup === 'string' && config.LogGroup ? config.LogGroup : `/aws/lambda/${t.refs[logicalId] ?? logicalId}`;
}
