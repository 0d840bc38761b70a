/**
 * Summarises V8 CPU profiles (`npm start -- --cpu-prof DIR` writes one per process: the
 * runtime's and each function process's under DIR/<LogicalId>/): busy time, self time by
 * package and inclusive time by function, mapped through each bundle's source map (the
 * functions and the layer are minified), so a profile reads as @smithy/core, @middy/core,
 * layers/shared/src/... rather than as one-letter names.
 *
 *   npm run bench:profile -- DIR/OrdersFunction/CPU.*.cpuprofile [--top N]
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface Origin {
  source: string;
  name: string;
}

const maps = new Map<string, SourceMap | undefined>();
function mapFor(url: string): SourceMap | undefined {
  if (!url.startsWith('file://')) return undefined;
  if (!maps.has(url)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = undefined; // not a bundle (node's own modules, the runtime's TypeScript)
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

/** Where a frame comes from: the original source and name when the bundle has a map. */
function originOf(cf: CallFrame): Origin {
  // findEntry gives {} where the map has no entry; `name` is there on newer Node versions.
  const entry: { originalSource?: string; name?: string } = mapFor(cf.url)?.findEntry(cf.lineNumber, cf.columnNumber) ?? {};
  const source = entry.originalSource ?? cf.url;
  const name = entry.name || cf.functionName || '(anonymous)';
  return { source: source.replace(/^.*node_modules\//, 'node_modules/').replace(/^file:\/\/.*?\/(local|layers|functions)\//, '$1/'), name };
}

/** A package (`@smithy/core`), a repo folder's file, or a V8 pseudo-frame such as `(garbage collector)`. */
function packageOf(o: Origin, cf: CallFrame): string {
  if (!cf.url) return cf.functionName;
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(o.source);
  return m ? m[1]! : o.source;
}

function summarise(file: string, top: number): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const origins = new Map(p.nodes.map((n) => [n.id, originOf(n.callFrame)]));
  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += us;
    const pkg = packageOf(origins.get(id)!, cf);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    // Each function on the sampled stack once (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const o = origins.get(at)!;
      const key = `${o.name}  ${packageOf(o, byId.get(at)!.callFrame)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`);
  return [
    `${file}: ${(busy / 1000).toFixed(0)} ms busy`,
    'self time by package:',
    ...rows(byPackage),
    'inclusive time by function:',
    ...rows(inclusive),
  ].join('\n');
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Math.max(1, Number(args.splice(topAt, 2)[1]) || 25) : 25;
if (args.length === 0) {
  process.stderr.write('usage: npm run bench:profile -- <file.cpuprofile> [...] [--top N]\n');
  process.exit(2);
}
for (const f of args) process.stdout.write(`${summarise(f, top)}\n\n`);
