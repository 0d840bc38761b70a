/**
 * Builds like `sam build`: esbuild per function from Metadata.BuildProperties into
 * <state>/build/<LogicalId>/, the layer through its Makefile target. Contexts are kept
 * so a watch rebuild is incremental; a failed rebuild leaves the old bundle serving.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { resourcesOfType, type ResolvedTemplate } from '../template';

export interface BuiltFunction {
  logicalId: string;
  dir: string;
  /** Absolute path of the module Handler points at (without extension resolution). */
  handlerFile: string;
  handlerExport: string;
  codeUri: string;
  version: number;
}

export interface BuiltLayer {
  logicalId: string;
  dir: string;
  nodeModules: string;
  contentUri: string;
}

/**
 * What a build read, to skip it on the next start when nothing changed (a restart then costs
 * no bundling): each input file's size and mtime, and a hash of the options that made it.
 */
interface BuildStamp {
  options: string;
  inputs: Record<string, [number, number]>;
}

const STAMP_FILE = '.build-stamp.json';

function stampOf(files: string[], options: unknown): BuildStamp {
  const inputs: BuildStamp['inputs'] = {};
  for (const f of files) {
    const st = statSync(f, { throwIfNoEntry: false });
    if (st) inputs[f] = [st.size, st.mtimeMs];
  }
  return {
    options: createHash('sha256')
      .update(JSON.stringify([esbuild.version, options]))
      .digest('hex'),
    inputs,
  };
}

/**
 * True when the stamp in dir still describes its inputs (none changed, none gone and, when
 * the current file list is given, none added).
 */
function upToDate(dir: string, options: unknown, expectFile: string, currentFiles?: string[]): boolean {
  try {
    if (!existsSync(expectFile)) return false;
    const prev = JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8')) as BuildStamp;
    if (currentFiles && currentFiles.join('\n') !== Object.keys(prev.inputs).sort().join('\n')) return false;
    const now = stampOf(Object.keys(prev.inputs), options);
    return (
      now.options === prev.options &&
      Object.keys(now.inputs).length === Object.keys(prev.inputs).length &&
      Object.entries(prev.inputs).every(([f, [size, mtime]]) => now.inputs[f]?.[0] === size && now.inputs[f]?.[1] === mtime)
    );
  } catch {
    return false;
  }
}

/** Every file under dir (sources of a makefile layer), skipping node_modules. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function str(v: unknown, d = ''): string {
  return typeof v === 'string' ? v : d;
}

export function functionIds(t: ResolvedTemplate): string[] {
  return resourcesOfType(t, 'AWS::Serverless::Function').map(([id]) => id);
}

export function layerIds(t: ResolvedTemplate): string[] {
  return resourcesOfType(t, 'AWS::Serverless::LayerVersion').map(([id]) => id);
}

export class Builder {
  private contexts = new Map<string, esbuild.BuildContext>();
  readonly functions = new Map<string, BuiltFunction>();
  readonly layers = new Map<string, BuiltLayer>();
  private watchers: FSWatcher[] = [];
  /** Builds found up to date at start (their inputs unchanged since the last run). */
  skipped = 0;

  constructor(
    private t: ResolvedTemplate,
    private rootDir: string,
    private buildDir: string,
    private log: (source: string, m: string) => void,
  ) {}

  private esbuildOptions(id: string): { opts: esbuild.BuildOptions; fn: BuiltFunction } {
    const p = this.t.resources[id]!.Properties;
    const codeUri = resolve(this.rootDir, str(p.CodeUri, '.'));
    const handler = str(p.Handler, 'index.handler');
    const dot = handler.lastIndexOf('.');
    const outDir = join(this.buildDir, id);
    const meta = this.t.resources[id]!.Metadata ?? {};
    const bp = (meta.BuildProperties ?? {}) as Record<string, unknown>;
    const entries = (Array.isArray(bp.EntryPoints) ? bp.EntryPoints : [`${handler.slice(0, dot)}.ts`]).map(String);
    const format = str(bp.Format, 'cjs') as esbuild.Format;
    const outExt = (bp.OutExtension as string[] | undefined)?.map((s) => s.split('=')) ?? [];
    const opts: esbuild.BuildOptions = {
      absWorkingDir: codeUri,
      entryPoints: entries,
      bundle: true,
      platform: 'node',
      outdir: outDir,
      minify: bp.Minify === true || bp.Minify === 'true',
      target: str(bp.Target, 'es2022'),
      sourcemap: bp.Sourcemap === true || bp.Sourcemap === 'true',
      format,
      external: Array.isArray(bp.External) ? bp.External.map(String) : [],
      logLevel: 'silent',
      ...(bp.Banner
        ? { banner: Object.fromEntries((bp.Banner as string[]).map((s) => s.split(/=(.*)/s).slice(0, 2) as [string, string])) }
        : {}),
      ...(outExt.length ? { outExtension: Object.fromEntries(outExt.map(([k, v]) => [k!, v!])) } : {}),
    };
    const fn: BuiltFunction = {
      logicalId: id,
      dir: outDir,
      handlerFile: join(outDir, handler.slice(0, dot)),
      handlerExport: handler.slice(dot + 1),
      codeUri,
      version: 0,
    };
    return { opts, fn };
  }

  async buildFunction(id: string): Promise<BuiltFunction> {
    let ctx = this.contexts.get(id);
    const { opts, fn } = this.esbuildOptions(id);
    const prev = this.functions.get(id);
    // First build of this run: skip it when the last run's output still matches its inputs.
    if (!prev && !ctx && upToDate(fn.dir, opts, `${fn.handlerFile}.js`)) {
      fn.version = 1;
      this.functions.set(id, fn);
      this.skipped++;
      return fn;
    }
    if (!ctx) {
      mkdirSync(fn.dir, { recursive: true });
      ctx = await esbuild.context({ ...opts, metafile: true });
      this.contexts.set(id, ctx);
    }
    const result = await ctx.rebuild();
    const inputs = Object.keys(result.metafile?.inputs ?? {}).map((f) => resolve(opts.absWorkingDir!, f));
    writeFileSync(join(fn.dir, STAMP_FILE), JSON.stringify(stampOf(inputs, opts)));
    fn.version = (prev?.version ?? 0) + 1;
    this.functions.set(id, fn);
    return fn;
  }

  async buildLayer(id: string): Promise<BuiltLayer> {
    const p = this.t.resources[id]!.Properties;
    const contentUri = resolve(this.rootDir, str(p.ContentUri, '.'));
    const dir = join(this.buildDir, id);
    const method = str(this.t.resources[id]!.Metadata?.BuildMethod);
    if (method === 'makefile' && !this.layers.has(id) && upToDate(dir, { id, method }, join(dir, 'nodejs'), filesUnder(contentUri))) {
      const l: BuiltLayer = { logicalId: id, dir, nodeModules: join(dir, 'nodejs', 'node_modules'), contentUri };
      this.layers.set(id, l);
      this.skipped++;
      return l;
    }
    rmSync(join(dir, 'nodejs'), { recursive: true, force: true });
    rmSync(join(dir, STAMP_FILE), { force: true });
    mkdirSync(dir, { recursive: true });
    if (method === 'makefile') {
      const sources = filesUnder(contentUri);
      await new Promise<void>((ok, fail) => {
        const child = spawn('make', ['-s', '-C', contentUri, `build-${id}`, `ARTIFACTS_DIR=${dir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', (e) => fail(new Error(`make for ${id}: ${e.message} (is make installed?)`)));
        child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`make build-${id} failed (${code}):\n${out.trim()}`))));
      });
      // The Makefile's inputs are not declared: the layer's own files stand for them.
      writeFileSync(join(dir, STAMP_FILE), JSON.stringify(stampOf(sources, { id, method })));
    } else {
      // nodejsXX.x layers: the ContentUri's nodejs/ folder is used as is.
      this.log('build', `${id}: BuildMethod ${method || '(none)'}: using ${contentUri}/nodejs as built`);
      const l: BuiltLayer = { logicalId: id, dir: contentUri, nodeModules: join(contentUri, 'nodejs', 'node_modules'), contentUri };
      this.layers.set(id, l);
      return l;
    }
    const l: BuiltLayer = { logicalId: id, dir, nodeModules: join(dir, 'nodejs', 'node_modules'), contentUri };
    this.layers.set(id, l);
    return l;
  }

  async buildAll(): Promise<void> {
    await Promise.all([...layerIds(this.t).map((id) => this.buildLayer(id)), ...functionIds(this.t).map((id) => this.buildFunction(id))]);
  }

  /** Watches function and layer sources; rebuilds and calls onChange with what was rebuilt. */
  watch(onChange: (ids: string[]) => void): void {
    const targets: { dir: string; rebuild: () => Promise<string[]> }[] = [];
    for (const id of layerIds(this.t)) {
      const l = this.layers.get(id);
      if (!l) continue;
      targets.push({ dir: join(l.contentUri), rebuild: async () => (await this.buildLayer(id), functionIds(this.t)) });
    }
    const byDir = new Map<string, string[]>();
    for (const id of functionIds(this.t)) {
      const f = this.functions.get(id);
      if (!f) continue;
      byDir.set(f.codeUri, [...(byDir.get(f.codeUri) ?? []), id]);
    }
    for (const [dir, ids] of byDir) {
      if (resolve(dir) === resolve(this.rootDir)) continue; // a CodeUri at the root would watch everything
      targets.push({ dir, rebuild: async () => (await Promise.all(ids.map((id) => this.buildFunction(id))), ids) });
    }
    for (const t of targets) {
      if (!existsSync(t.dir)) continue;
      let timer: NodeJS.Timeout | undefined;
      try {
        const w = watch(t.dir, { recursive: true }, (_e, file) => {
          if (file && /node_modules|\.test\.ts$/.test(String(file))) return;
          clearTimeout(timer);
          timer = setTimeout(() => {
            const started = Date.now();
            t.rebuild().then(
              (ids) => {
                this.log('build', `rebuilt ${ids.join(', ')} in ${Date.now() - started} ms`);
                onChange(ids);
              },
              (e: Error) => this.log('build', `build failed, previous code keeps serving:\n${e.message}`),
            );
          }, 100);
        });
        this.watchers.push(w);
      } catch (e) {
        this.log('build', `cannot watch ${t.dir}: ${(e as Error).message}`);
      }
    }
  }

  async dispose(): Promise<void> {
    this.watchers.forEach((w) => w.close());
    await Promise.all([...this.contexts.values()].map((c) => c.dispose()));
  }
}

export function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}
