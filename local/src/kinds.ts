/** Small helpers the service modules share when they declare resource kinds. */
import type { ResourceKind } from './contract';
import type { JsonObject } from './template';

/** X-Ray tracing in any of its spellings (functions, APIs, state machines): recorded nowhere locally. */
export function tracing(p: JsonObject): string[] {
  const on =
    p.Tracing === 'Active' || p.TracingEnabled === true || (p.Tracing as { Enabled?: boolean } | null | undefined)?.Enabled === true;
  return on ? ['X-Ray tracing'] : [];
}

/** A kind the template may declare that has no local behaviour (named in the start-up summary). */
export function notEmulated(
  types: string[],
  label: string,
  note: string,
  more: Omit<ResourceKind, 'types' | 'notEmulated'> = {},
): ResourceKind {
  return { types, notEmulated: { label, note }, ...more };
}
