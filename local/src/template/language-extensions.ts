/**
 * The AWS::LanguageExtensions transform's `Fn::ForEach`, as CloudFormation applies it before
 * SAM: every `Fn::ForEach::<Name>: [Identifier, Collection, {OutputKey: OutputValue}]` key
 * in Resources, Conditions and Outputs (nested loops and loops inside properties included)
 * becomes one OutputKey/OutputValue pair per item of the collection, with `${Identifier}`
 * and `&{Identifier}` replaced in keys and values and `{Ref: Identifier}` replaced by the item.
 * The collection is a list or a Ref to a CommaDelimitedList parameter (its default; the local
 * runtime applies overrides later, so a loop over an overridden list uses the default).
 * Templates without the transform are returned as they are.
 */
import type { Json, JsonObject } from './index';

const FOR_EACH = 'Fn::ForEach::';
const SECTIONS = ['Resources', 'Conditions', 'Outputs'] as const;

const isObj = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

function usesLanguageExtensions(template: JsonObject): boolean {
  const t = template.Transform;
  return t === 'AWS::LanguageExtensions' || (Array.isArray(t) && t.includes('AWS::LanguageExtensions'));
}

/** `${id}` → the item; `&{id}` → the item without its non-alphanumeric characters (for logical ids). */
function substitute(node: Json, id: string, item: string): Json {
  if (typeof node === 'string') {
    return node
      .split(`\${${id}}`)
      .join(item)
      .split(`&{${id}}`)
      .join(item.replace(/[^A-Za-z0-9]/g, ''));
  }
  if (Array.isArray(node)) return node.map((n) => substitute(n, id, item));
  if (!isObj(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'Ref' && node.Ref === id) return item;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [substitute(k, id, item) as string, substitute(v, id, item)]));
}

function collectionOf(loop: string, collection: Json, parameters: JsonObject): string[] {
  if (Array.isArray(collection)) return collection.map(String);
  if (isObj(collection) && typeof collection.Ref === 'string') {
    const param = parameters[collection.Ref];
    const value = isObj(param) ? param.Default : undefined;
    if (typeof value === 'string') return value.split(',').map((s) => s.trim());
    if (Array.isArray(value)) return value.map(String);
    throw new Error(`${loop}: Ref ${collection.Ref} is not a list parameter with a default`);
  }
  throw new Error(`${loop}: the collection must be a list or a Ref to a CommaDelimitedList parameter`);
}

function expand(node: Json, parameters: JsonObject, where: string): Json {
  if (Array.isArray(node)) return node.map((n, i) => expand(n, parameters, `${where}[${i}]`));
  if (!isObj(node)) return node;
  const out: JsonObject = {};
  const put = (key: string, value: Json, from: string) => {
    if (key in out) throw new Error(`${from}: ${key} is declared twice`);
    out[key] = value;
  };
  for (const [key, value] of Object.entries(node)) {
    if (!key.startsWith(FOR_EACH)) {
      put(key, expand(value, parameters, `${where}.${key}`), where);
      continue;
    }
    const loop = `${where}.${key}`;
    if (!Array.isArray(value) || value.length !== 3 || typeof value[0] !== 'string' || !isObj(value[2])) {
      throw new Error(`${loop}: expected [Identifier, Collection, {OutputKey: OutputValue}]`);
    }
    const [id, collection, fragment] = value as [string, Json, JsonObject];
    for (const item of collectionOf(loop, collection, parameters)) {
      const expanded = expand(substitute(fragment, id, item), parameters, loop) as JsonObject;
      for (const [k, v] of Object.entries(expanded)) put(k, v, loop);
    }
  }
  return out;
}

export function expandLanguageExtensions(template: JsonObject): JsonObject {
  if (!usesLanguageExtensions(template)) return template;
  const parameters = isObj(template.Parameters) ? template.Parameters : {};
  const out: JsonObject = { ...template };
  for (const section of SECTIONS) {
    if (isObj(template[section])) out[section] = expand(template[section], parameters, section);
  }
  return out;
}
