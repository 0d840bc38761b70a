/**
 * Small parts: no function in local/src (outside tests) longer than 80 lines, measured with
 * the TypeScript compiler's own parser (a function counts the lines of what it encloses).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const SRC = __dirname;
const MAX_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|cjs)$/.test(e.name) && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function functionLengths(file: string): { name: string; lines: number }[] {
  const src = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('.cjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS,
  );
  const out: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ name: `${relative(SRC, file)}:${first + 1}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

it(`has no function over ${MAX_LINES} lines`, () => {
  const all = sourceFiles(SRC).flatMap(functionLengths);
  expect(all.length).toBeGreaterThan(100); // the walk found the sources
  expect(all.filter((f) => f.lines > MAX_LINES).map((f) => `${f.name} (${f.lines} lines)`)).toEqual([]);
});
