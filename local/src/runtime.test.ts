/** The stack name the runtime names everything after: samconfig.toml's, as `sam deploy` reads it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stackNameFrom } from './runtime';

it('reads stack_name from the default sections of samconfig.toml, not from other environments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samconfig-'));
  try {
    writeFileSync(
      join(dir, 'samconfig.toml'),
      'version = 0.1\n[dev.deploy.parameters]\nstack_name = "other"\n[default.deploy.parameters]\nstack_name = "shop"\n',
    );
    expect(stackNameFrom(dir)).toBe('shop');
    expect(stackNameFrom(join(dir, 'nowhere'), dir)).toBe('shop');
    expect(stackNameFrom(join(dir, 'nowhere'))).toBe('myapp');
    expect(stackNameFrom(resolve(__dirname, '..', '..'))).toBe('myapp'); // this repository's
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
