/**
 * CPU time of the local runtime's processes, read from /proc (Linux): the runtime itself,
 * DynamoDB Local's JVM and each function's processes, by process group (the bench starts the
 * runtime in its own group). Two snapshots around a load give CPU per request or per order
 * by where it was spent. Elsewhere (no /proc) every figure is undefined and the bench says so.
 * A process that exits between the snapshots takes its CPU with it (a function process
 * killed on timeout): the figures are then a lower bound.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

export type ProcessKind = 'runtime' | 'dynamodb' | 'function' | 'other';

interface ProcessCpu {
  kind: ProcessKind;
  /** The function (AWS_LAMBDA_FUNCTION_NAME) for a function process. */
  name?: string;
  ticks: number;
}

export type CpuSnapshot = Map<number, ProcessCpu>;

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited meanwhile
  }
};

/** utime + stime (fields 14 and 15) and the process group (field 5); the command may hold spaces. */
function statOf(pid: number): { pgid: number; ticks: number } | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgid: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) };
}

function classify(pid: number): { kind: ProcessKind; name?: string } {
  const cmd = (read(`/proc/${pid}/cmdline`) ?? '').split('\0');
  if (cmd[0]?.endsWith('java')) return { kind: 'dynamodb' };
  if (cmd.some((a) => a.endsWith('bootstrap.cjs'))) {
    const env = (read(`/proc/${pid}/environ`) ?? '').split('\0');
    const name = env.find((e) => e.startsWith('AWS_LAMBDA_FUNCTION_NAME='))?.slice('AWS_LAMBDA_FUNCTION_NAME='.length);
    return { kind: 'function', ...(name ? { name } : {}) };
  }
  if (cmd.some((a) => a.endsWith('cli.ts') || a.endsWith('cli.mjs'))) return { kind: 'runtime' };
  return { kind: 'other' };
}

export const cpuSupported = (): boolean => existsSync('/proc/self/stat');

/** Every process of the group (or the single pid when `pgid` is a process outside any bench group). */
export function cpuSnapshot(pgid: number, alsoPids: number[] = []): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  if (!cpuSupported()) return out;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = statOf(pid);
    if (!s || (s.pgid !== pgid && !alsoPids.includes(pid))) continue;
    out.set(pid, { ...classify(pid), ticks: s.ticks });
  }
  return out;
}

export interface CpuSpent {
  /** ms of CPU by kind: runtime, dynamodb, functions (all function processes), other. */
  byKind: Record<ProcessKind, number>;
  /** ms of CPU by function name. */
  byFunction: Record<string, number>;
  totalMs: number;
}

/** CPU spent between two snapshots; processes started in between count from zero. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSpent {
  const byKind: Record<ProcessKind, number> = { runtime: 0, dynamodb: 0, function: 0, other: 0 };
  const byFunction: Record<string, number> = {};
  let total = 0;
  for (const [pid, p] of after) {
    const ms = ((p.ticks - (before.get(pid)?.ticks ?? 0)) * 1000) / TICKS_PER_SECOND;
    if (ms <= 0) continue;
    byKind[p.kind] += ms;
    total += ms;
    if (p.kind === 'function') byFunction[p.name ?? '?'] = (byFunction[p.name ?? '?'] ?? 0) + ms;
  }
  return { byKind, byFunction, totalMs: total };
}

/** The same figures divided by a count (requests, orders), rounded to 0.01 ms. */
export function perUnit(spent: CpuSpent, units: number): CpuSpent {
  const d = (ms: number) => Math.round((ms / Math.max(1, units)) * 100) / 100;
  return {
    byKind: Object.fromEntries(Object.entries(spent.byKind).map(([k, v]) => [k, d(v)])) as Record<ProcessKind, number>,
    byFunction: Object.fromEntries(
      Object.entries(spent.byFunction)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, d(v)]),
    ),
    totalMs: d(spent.totalMs),
  };
}
