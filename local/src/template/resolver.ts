/**
 * Evaluates a template locally: parameters (override > local default > Default, checked
 * against AllowedValues / AllowedPattern / Type), SAM Globals, Conditions, and every
 * intrinsic function. A resource's physical id is computed on first use, so a name that is
 * itself an intrinsic (`QueueName: !Sub ${AWS::StackName}-dlq`) is what Ref and GetAtt give.
 */
import type { NamedResource, ResourceCatalog, ResourceKind, ResourceRef, StackContext } from '../contract';
import type { Json, JsonObject, ResolvedTemplate, ResolveOptions, Resource } from '.';

/** Parameters whose local default differs from the template's (SPEC 7: an order completes at once). */
export const LOCAL_PARAMETER_DEFAULTS: Record<string, string> = { OrderHoldSeconds: '0' };

export function isObj(v: unknown): v is JsonObject {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A resolved value where text belongs (a Fn::Sub variable, Fn::Join's items, a Type): scalars
 * as their text, null (AWS::NoValue) as '', a list as its items joined by commas (a list
 * parameter's value); an object is the template's mistake, named by `where`.
 */
function text(v: Json, where: string): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((item, i) => text(item, `${where}[${i}]`)).join(',');
  throw new Error(`${where}: expected text, got ${JSON.stringify(v)}`);
}

export const NO_VALUE = Symbol('NoValue');
type Value = Json | typeof NO_VALUE;
type Intrinsic = (r: TemplateResolver, arg: Json, where: string) => Value;

const GLOBAL_SECTIONS: Record<string, string> = {
  Function: 'AWS::Serverless::Function',
  Api: 'AWS::Serverless::Api',
  HttpApi: 'AWS::Serverless::HttpApi',
  SimpleTable: 'AWS::Serverless::SimpleTable',
  StateMachine: 'AWS::Serverless::StateMachine',
  LayerVersion: 'AWS::Serverless::LayerVersion',
};

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

/** Resources with their SAM Globals section merged into Properties. */
function resourcesWithGlobals(raw: JsonObject): Record<string, JsonObject> {
  const globals = (isObj(raw.Globals) ? raw.Globals : {}) as Record<string, JsonObject>;
  const merged: Record<string, JsonObject> = {};
  for (const [id, res] of Object.entries((raw.Resources ?? {}) as Record<string, JsonObject>)) {
    const section = Object.entries(GLOBAL_SECTIONS).find(([, t]) => t === res.Type)?.[0];
    const g = section ? globals[section] : undefined;
    const own = (res.Properties ?? {}) as JsonObject;
    merged[id] = { ...res, Properties: g ? mergeGlobals(g, own) : own };
  }
  return merged;
}

function checkParameter(name: string, def: JsonObject, str: string): void {
  const allowed = Array.isArray(def.AllowedValues)
    ? def.AllowedValues.map((v, i) => text(v, `Parameters.${name}.AllowedValues[${i}]`))
    : undefined;
  if (allowed && !allowed.includes(str)) {
    throw new Error(`Parameter "${name}"="${str}" is not one of its AllowedValues: ${allowed.join(', ')}`);
  }
  if (typeof def.AllowedPattern === 'string' && !new RegExp(`^(?:${def.AllowedPattern})$`).test(str)) {
    throw new Error(`Parameter "${name}"="${str}" does not match its AllowedPattern ${def.AllowedPattern}`);
  }
  if (def.Type === 'Number' && Number.isNaN(Number(str))) throw new Error(`Parameter "${name}" must be a Number, got "${str}"`);
}

/** Parameter values: override > local default > template Default; each checked. */
function parameterValues(defs: Record<string, JsonObject>, opts: ResolveOptions): Record<string, string> {
  const overrides = opts.parameterOverrides ?? {};
  for (const k of Object.keys(overrides))
    if (!(k in defs))
      throw new Error(`Parameter override "${k}" is not a parameter of the template (known: ${Object.keys(defs).join(', ')})`);
  const parameters: Record<string, string> = {};
  for (const [name, def] of Object.entries(defs)) {
    let value: Json | undefined = overrides[name];
    if (value === undefined && opts.localDefaults !== false && name in LOCAL_PARAMETER_DEFAULTS) value = LOCAL_PARAMETER_DEFAULTS[name]!;
    if (value === undefined) value = def.Default;
    if (value === undefined) throw new Error(`Parameter "${name}" has no Default: pass --parameter-overrides ${name}=<value>`);
    const str = text(value, `Parameters.${name}`);
    checkParameter(name, def, str);
    parameters[name] = str;
  }
  return parameters;
}

function pseudoParameters(ctx: StackContext): Record<string, string> {
  return {
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.accountId,
    'AWS::StackName': ctx.stackName,
    'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/local`,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
}

/** `${Name}`, `${Res.Attr}`, `${!Literal}` in a Fn::Sub string. */
const substitute: Intrinsic = (r, arg, where) => {
  const [tpl, vars] = Array.isArray(arg) ? [text(arg[0] ?? null, where), (arg[1] ?? {}) as JsonObject] : [text(arg, where), {}];
  return tpl.replace(/\$\{(!?)([^}]+)\}/g, (_all, bang: string, expr: string) => {
    if (bang) return `\${${expr}}`; // ${!Literal} stays literal
    if (expr in vars) return text(r.value(vars[expr]!, where), `${where} \${${expr}}`);
    if (expr.includes('.') && !expr.startsWith('AWS::')) {
      const i = expr.indexOf('.');
      return text(r.getAtt(expr.slice(0, i), expr.slice(i + 1), where), `${where} \${${expr}}`);
    }
    const v = r.refOf(expr);
    return v === NO_VALUE ? '' : text(v, `${where} \${${expr}}`);
  });
};

const getAtt: Intrinsic = (r, arg, where) => {
  const [id, ...rest] = Array.isArray(arg) ? arg.map((a) => text(r.value(a, where), where)) : text(arg, where).split('.');
  return r.getAtt(id!, rest.join('.'), where);
};

const list = (r: TemplateResolver, v: Json, where: string): Json[] => {
  const items = r.value(v, where);
  return Array.isArray(items) ? items : [];
};

const INTRINSIC_FUNCTIONS: Record<string, Intrinsic> = {
  Ref: (r, arg, where) => r.refOf(text(arg, where)),
  Condition: (r, arg, where) => (typeof arg === 'string' ? r.condition(arg) : r.resolveObject({ Condition: arg }, where)),
  'Fn::GetAtt': getAtt,
  'Fn::Sub': substitute,
  'Fn::Join': (r, arg, where) =>
    list(r, (arg as Json[])[1]!, where)
      .map((item) => text(item, where))
      .join(text((arg as Json[])[0]!, where)),
  'Fn::Select': (r, arg, where) => list(r, (arg as Json[])[1]!, where)[Number(r.value((arg as Json[])[0]!, where))] ?? null,
  'Fn::Split': (r, arg, where) => text(r.value((arg as Json[])[1]!, where), where).split(text((arg as Json[])[0]!, where)),
  'Fn::If': (r, arg, where) => r.resolve(r.condition(text((arg as Json[])[0]!, where)) ? (arg as Json[])[1]! : (arg as Json[])[2]!, where),
  'Fn::Equals': (r, arg, where) => text(r.value((arg as Json[])[0]!, where), where) === text(r.value((arg as Json[])[1]!, where), where),
  'Fn::Not': (r, arg, where) => !r.value((arg as Json[])[0]!, where),
  'Fn::And': (r, arg, where) => (arg as Json[]).every((a) => Boolean(r.value(a, where))),
  'Fn::Or': (r, arg, where) => (arg as Json[]).some((a) => Boolean(r.value(a, where))),
  'Fn::FindInMap': (r, arg, where) =>
    r.findInMap(
      (arg as Json[]).map((a) => text(r.value(a, where), where)),
      where,
    ),
  'Fn::Base64': (r, arg, where) => Buffer.from(text(r.value(arg, where), where)).toString('base64'),
  'Fn::GetAZs': (r) => ['a', 'b', 'c'].map((z) => `${r.ctx.region}${z}`),
  'Fn::ImportValue': (r, arg, where) => {
    r.warn(`${where}: ImportValue ${JSON.stringify(r.value(arg, where))} has no local stack to import from`);
    return text(r.value(arg, where), where);
  },
  'Fn::Cidr': (r, arg, where) => {
    const [block, count] = (arg as Json[]).map((a) => r.value(a, where));
    r.warn(`${where}: Fn::Cidr is not computed locally`);
    return Array.from({ length: Number(count) }, () => text(block ?? null, where));
  },
};

export class TemplateResolver {
  readonly parameters: Record<string, string>;
  readonly conditions: Record<string, boolean> = {};
  readonly refs: Record<string, string> = {};
  private readonly warnings = new Set<string>();
  /** Further names Ref accepts (SAM's `Function.Alias`), from the kinds' `references`. */
  private readonly references: Record<string, string> = {};
  /** Physical ids and naming properties being computed: one that depends on itself is refused, not a stack overflow. */
  private readonly naming = new Set<string>();
  private readonly merged: Record<string, JsonObject>;
  private readonly paramDefs: Record<string, JsonObject>;
  private readonly pseudo: Record<string, string>;
  private readonly catalog?: ResourceCatalog;

  constructor(
    private readonly raw: JsonObject,
    readonly ctx: StackContext,
    opts: ResolveOptions,
  ) {
    this.paramDefs = (isObj(raw.Parameters) ? raw.Parameters : {}) as Record<string, JsonObject>;
    this.parameters = parameterValues(this.paramDefs, opts);
    this.merged = resourcesWithGlobals(raw);
    this.pseudo = pseudoParameters(ctx);
    this.catalog = opts.catalog;
  }

  resolveAll(): ResolvedTemplate {
    for (const name of Object.keys(this.conditionDefs())) this.condition(name);
    for (const id of Object.keys(this.merged)) this.physicalId(id);
    const arns: Record<string, string> = {};
    for (const id of Object.keys(this.merged)) {
      const arn = this.kindOf(id)?.arn?.(this.named(id), this.ctx);
      if (arn) arns[id] = arn;
    }
    const { resources, skipped } = this.resolveResources();
    const outputs = this.resolveOutputs();
    const { parameters, conditions, refs, raw } = this;
    return { parameters, conditions, resources, outputs, refs, arns, warnings: [...this.warnings], skipped, raw };
  }

  warn(message: string): void {
    this.warnings.add(message);
  }

  private conditionDefs(): JsonObject {
    return isObj(this.raw.Conditions) ? this.raw.Conditions : {};
  }

  private kindOf(id: string): ResourceKind | undefined {
    return this.catalog?.kindOf(text(this.merged[id]?.Type ?? null, `Resources.${id}.Type`));
  }

  private resourceRef(id: string): ResourceRef {
    const props = (this.merged[id]!.Properties ?? {}) as JsonObject;
    return {
      logicalId: id,
      type: text(this.merged[id]!.Type ?? null, `Resources.${id}.Type`),
      prop: (name) => this.namingProp(id, name, props[name]),
    };
  }

  /** A property a kind reads for a name or ARN; one that depends on itself is ignored (with a warning). */
  private namingProp(id: string, name: string, node: Json | undefined): Json | undefined {
    const where = `Resources.${id}.${name}`;
    if (node === undefined) return undefined;
    if (this.naming.has(where)) {
      this.warn(`${where} refers to itself: ignored for the resource's name`);
      return undefined;
    }
    this.naming.add(where);
    try {
      return this.value(node, where);
    } finally {
      this.naming.delete(where);
    }
  }

  private named(id: string): NamedResource {
    return { ...this.resourceRef(id), ref: this.physicalId(id) };
  }

  /** What Ref returns for a resource: computed once, on first use. */
  physicalId(id: string): string {
    const known = this.refs[id];
    if (known !== undefined) return known;
    const fallback = `${this.ctx.stackName}-${id}`;
    if (this.naming.has(id)) {
      this.warn(`Resources.${id}: its name refers to itself; named ${fallback}`);
      return fallback;
    }
    this.naming.add(id);
    try {
      const kind = this.kindOf(id);
      const ref = kind?.physicalId?.(this.resourceRef(id), this.ctx) ?? fallback;
      this.refs[id] = ref;
      Object.assign(this.references, kind?.references?.({ ...this.resourceRef(id), ref }, this.ctx));
      return ref;
    } finally {
      this.naming.delete(id);
    }
  }

  refOf(name: string): Value {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name === 'AWS::NotificationARNs') return [];
    if (name in this.pseudo) return this.pseudo[name]!;
    if (name in this.parameters) return this.parameterRef(name);
    if (name in this.merged) return this.physicalId(name);
    const owner = name.split('.')[0]!;
    if (owner in this.merged) this.physicalId(owner);
    if (name in this.references) return this.references[name]!;
    this.warn(`Ref ${name}: unknown name, left as "${name}"`);
    return name;
  }

  /** List parameters Ref as lists, as in CloudFormation. */
  private parameterRef(name: string): Json {
    const type = text(this.paramDefs[name]?.Type ?? 'String', `Parameters.${name}.Type`);
    const v = this.parameters[name]!;
    return type === 'CommaDelimitedList' || type.startsWith('List<') ? v.split(',').map((x) => x.trim()) : v;
  }

  getAtt(id: string, attr: string, where: string): Json {
    if (!this.merged[id]) {
      this.warn(`${where}: GetAtt ${id}.${attr}: no such resource`);
      return `${id}.${attr}`;
    }
    const named = this.named(id);
    const kind = this.kindOf(id);
    const v =
      kind?.getAtt?.(attr, named, this.ctx) ??
      (attr === 'Arn'
        ? (kind?.arn?.(named, this.ctx) ?? `arn:aws:local:${this.ctx.region}:${this.ctx.accountId}:${named.ref}`)
        : undefined);
    if (v !== undefined) return v;
    this.warn(`${where}: GetAtt ${id}.${attr} has no local value`);
    return `${named.ref}.${attr}`;
  }

  condition(name: string): boolean {
    if (name in this.conditions) return this.conditions[name]!;
    const defs = this.conditionDefs();
    if (!(name in defs)) throw new Error(`Condition "${name}" is not declared`);
    this.conditions[name] = Boolean(this.resolve(defs[name]!, `Conditions.${name}`));
    return this.conditions[name];
  }

  findInMap([m, k1, k2]: string[], where: string): Json {
    const mappings = isObj(this.raw.Mappings) ? this.raw.Mappings : {};
    const v = ((mappings[m!] as JsonObject | undefined)?.[k1!] as JsonObject | undefined)?.[k2!];
    if (v === undefined) throw new Error(`${where}: FindInMap ${m}.${k1}.${k2} not found`);
    return v;
  }

  /** A node resolved, AWS::NoValue as null (inside an intrinsic's arguments). */
  value(node: Json, where: string): Json {
    const v = this.resolve(node, where);
    return v === NO_VALUE ? null : v;
  }

  resolve(node: Json, where: string): Value {
    if (Array.isArray(node)) return node.map((n, i) => this.resolve(n, `${where}[${i}]`)).filter((n): n is Json => n !== NO_VALUE);
    if (!isObj(node)) return node;
    const keys = Object.keys(node);
    const fn = keys.length === 1 ? INTRINSIC_FUNCTIONS[keys[0]!] : undefined;
    return fn ? fn(this, node[keys[0]!]!, where) : this.resolveObject(node, where);
  }

  resolveObject(node: JsonObject, where: string): JsonObject {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(node)) {
      const rv = this.resolve(v, `${where}.${k}`);
      if (rv !== NO_VALUE) out[k] = rv;
    }
    return out;
  }

  /** Cloud URLs the registry knows (Cognito's issuer, the API's URL) as their local ones. */
  private localize(node: Json): Json {
    const catalog = this.catalog;
    if (!catalog) return node;
    if (typeof node === 'string') return catalog.localize(node, this.ctx);
    if (Array.isArray(node)) return node.map((n) => this.localize(n));
    if (isObj(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, this.localize(v)]));
    return node;
  }

  private resolveResources(): { resources: Record<string, Resource>; skipped: string[] } {
    const resources: Record<string, Resource> = {};
    const skipped: string[] = [];
    for (const [id, res] of Object.entries(this.merged)) {
      if (typeof res.Condition === 'string' && !this.condition(res.Condition)) {
        skipped.push(id);
        continue;
      }
      const resolved = this.resolve(res.Properties as Json, `Resources.${id}`) as JsonObject;
      resources[id] = {
        Type: text(res.Type ?? null, `Resources.${id}.Type`),
        Properties: this.localize(resolved) as JsonObject,
        ...(isObj(res.Metadata) ? { Metadata: res.Metadata } : {}),
        ...(typeof res.Condition === 'string' ? { Condition: res.Condition } : {}),
      };
    }
    return { resources, skipped };
  }

  private resolveOutputs(): Record<string, string> {
    const outputs: Record<string, string> = {};
    for (const [name, o] of Object.entries((this.raw.Outputs ?? {}) as Record<string, JsonObject>)) {
      if (typeof o.Condition === 'string' && !this.condition(o.Condition)) continue;
      const v = this.resolve(o.Value as Json, `Outputs.${name}`);
      if (v === NO_VALUE) continue;
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      outputs[name] = this.catalog ? this.catalog.localize(text, this.ctx) : text;
    }
    return outputs;
  }
}
