/**
 * `npm run bench:readme`: rewrites the README's generated Benchmarks block (between
 * `<!-- bench:start -->` and `<!-- bench:end -->`), latest.md and the charts from
 * bench/results/latest.json, without running anything. `npm run bench` does this itself.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS } from './lib/common';
import { markdown, updateReadme, writeCharts, type Results } from './lib/report';

const res = JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as Results;
res.checks ??= [];
res.machine.loadAvgAtEnd ??= res.machine.loadAvgAtStart;
writeCharts(res);
writeFileSync(join(RESULTS, 'latest.md'), markdown(res));
if (!updateReadme(res)) throw new Error('README.md has no "## Benchmarks" section');
process.stdout.write('README.md benchmarks block, bench/results/latest.md and charts rewritten from latest.json\n');
