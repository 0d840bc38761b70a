/**
 * What `npm start` prints before its ready line: the parameters, the endpoints, each
 * service's lines (routes, queues, rules, ...), and what the template declares that is not
 * emulated, grouped by kind with counts (every resource with `--verbose`).
 */
import type { ResourceCatalog } from './contract';
import { LOCAL_PARAMETER_DEFAULTS, type ResolvedTemplate } from './template';

interface Group {
  label: string;
  note: string;
  ids: string[];
}

/** Resources by what they lack locally: a kind with no local behaviour, a property with no effect, or a type no module knows. */
function notEmulatedGroups(t: ResolvedTemplate, catalog: ResourceCatalog): Group[] {
  const groups = new Map<string, Group>();
  const add = (key: string, label: string, note: string, id: string) => {
    const g = groups.get(key) ?? { label, note, ids: [] };
    g.ids.push(id);
    groups.set(key, g);
  };
  for (const [id, r] of Object.entries(t.resources)) {
    const kind = catalog.kindOf(r.Type);
    if (!kind) add(`type:${r.Type}`, r.Type, 'unknown to the local runtime', id);
    else if (kind.notEmulated) add(`kind:${kind.notEmulated.label}`, kind.notEmulated.label, kind.notEmulated.note, id);
    for (const feature of kind?.features?.(r.Properties) ?? []) add(`feature:${feature}`, feature, 'not emulated', id);
  }
  return [...groups.values()].sort((a, b) => b.ids.length - a.ids.length);
}

/** The not-emulated lines: one per group (`CloudWatch alarms (50): defined, not evaluated`), each id with verbose. */
export function notEmulatedSummary(t: ResolvedTemplate, catalog: ResourceCatalog, verbose: boolean): string[] {
  const groups = notEmulatedGroups(t, catalog);
  if (!groups.length) return [];
  const lines = [`not emulated${verbose ? '' : ' (each resource: npm start -- --verbose)'}:`];
  for (const g of groups) {
    lines.push(`  ${g.label} (${g.ids.length}): ${g.note}`);
    if (verbose) lines.push(`    ${g.ids.join(', ')}`);
  }
  return lines;
}

export interface SummaryInput {
  template: ResolvedTemplate;
  parameterOverrides: Record<string, string>;
  endpoints: Record<string, string>;
  /** The services' own lines, in start order. */
  described: string[];
  catalog: ResourceCatalog;
  verbose: boolean;
}

export function startupSummary(s: SummaryInput): string[] {
  const t = s.template;
  const localDefault = (k: string) => k in LOCAL_PARAMETER_DEFAULTS && !(k in s.parameterOverrides);
  return [
    `parameters: ${Object.entries(t.parameters)
      .map(([k, v]) => `${k}=${v}${localDefault(k) ? ' (local default)' : ''}`)
      .join(' ')}`,
    'endpoints:',
    ...Object.entries(s.endpoints).map(([k, v]) => `  ${k.padEnd(24)} ${v}`),
    ...s.described,
    ...notEmulatedSummary(t, s.catalog, s.verbose),
  ];
}
