/**
 * The builder skips, on a new start, a function whose inputs have not changed since the last
 * build (a restart bundles nothing), and rebuilds one whose source or bundled file changed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedTemplate } from '../template';
import { Builder } from './index';

const esbuildMeta = { BuildMethod: 'esbuild', BuildProperties: { Format: 'cjs', Target: 'es2022', EntryPoints: ['handler.ts'] } };

function template(): ResolvedTemplate {
  const fn = (codeUri: string) => ({
    Type: 'AWS::Serverless::Function',
    Properties: { CodeUri: codeUri, Handler: 'handler.handler' },
    Metadata: esbuildMeta,
  });
  return {
    parameters: {},
    conditions: {},
    resources: { AFunction: fn('a/'), BFunction: fn('b/') },
    outputs: {},
    refs: {},
    warnings: [],
    skipped: [],
    raw: {},
  } as unknown as ResolvedTemplate;
}

describe('Builder up-to-date check', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'builder-'));
    for (const d of ['a', 'b']) {
      mkdirSync(join(root, d));
      writeFileSync(join(root, d, 'lib.ts'), `export const name = '${d}';`);
      writeFileSync(join(root, d, 'handler.ts'), "import { name } from './lib';\nexport const handler = async () => name;");
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const build = async () => {
    const b = new Builder(template(), root, join(root, '.build'), () => undefined);
    try {
      await b.buildAll();
      return { skipped: b.skipped, bundle: (id: string) => readFileSync(`${b.functions.get(id)!.handlerFile}.js`, 'utf8') };
    } finally {
      await b.dispose();
    }
  };

  it('bundles on the first start, skips unchanged functions on the next, rebuilds a changed one', async () => {
    expect((await build()).skipped).toBe(0);
    expect((await build()).skipped).toBe(2);

    // A bundled module (not the entry point) of B changes: only B is rebuilt, with the change.
    writeFileSync(join(root, 'b', 'lib.ts'), "export const name = 'b2';");
    utimesSync(join(root, 'b', 'lib.ts'), new Date(), new Date(Date.now() + 5000));
    const third = await build();
    expect(third.skipped).toBe(1);
    expect(third.bundle('BFunction')).toContain('b2');
  });

  it('rebuilds when the output is gone', async () => {
    await build();
    rmSync(join(root, '.build', 'AFunction', 'handler.js'));
    expect((await build()).skipped).toBe(1);
  });
});
