/**
 * The registry: one module per service, each type owned once, ports derived, every module
 * file saying what it emulates and what it does not, and nothing in template.yaml unknown.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ServiceModule } from './contract';
import { CATALOG, catalogOf, DEFAULT_PORTS, loadStackTemplate, SERVICES } from './registry';
import { notEmulatedSummary } from './summary';

const REPO = resolve(__dirname, '..', '..');

describe('registry', () => {
  it('derives the ports from the modules, each on its own', () => {
    expect(DEFAULT_PORTS).toEqual({
      dynamodb: 8000,
      lambda: 3001,
      cognito: 9229,
      s3: 4569,
      api: 3000,
      sqs: 9324,
      stepfunctions: 8083,
      eventbridge: 4010,
      edge: 8080,
      logs: 4586,
      cloudformation: 4581,
    });
    expect(new Set(Object.values(DEFAULT_PORTS)).size).toBe(Object.keys(DEFAULT_PORTS).length);
    expect(new Set(SERVICES.map((s) => s.name)).size).toBe(SERVICES.length);
  });

  it('refuses a resource type two modules claim', () => {
    const a: ServiceModule = { name: 'a', kinds: [{ types: ['AWS::X::Y'] }] };
    const b: ServiceModule = { name: 'b', kinds: [{ types: ['AWS::X::Y'] }] };
    expect(() => catalogOf([a, b])).toThrow(/AWS::X::Y is claimed by two service modules/);
  });

  it('matches prefix types (Custom::*) and exact ones', () => {
    expect(CATALOG.kindOf('Custom::Catalogue')).toBe(CATALOG.kindOf('AWS::CloudFormation::CustomResource'));
    expect(CATALOG.kindOf('AWS::SQS::Queue')?.types).toEqual(['AWS::SQS::Queue']);
    expect(CATALOG.kindOf('AWS::Nope::Nothing')).toBeUndefined();
  });

  it('knows every resource type template.yaml declares', () => {
    const t = loadStackTemplate(join(REPO, 'template.yaml'));
    const unknown = [...new Set(Object.values(t.resources).map((r) => r.Type))].filter((type) => !CATALOG.kindOf(type));
    expect(unknown).toEqual([]);
    expect(t.warnings).toEqual(expect.not.arrayContaining([expect.stringMatching(/Alias|unknown name/)]));
  });

  it('has each module file start with what it emulates and what it does not', () => {
    const registry = readFileSync(join(__dirname, 'registry.ts'), 'utf8');
    const groups = /SERVICE_GROUPS[^=]*= \[([\s\S]*?)\n\];/.exec(registry)![1]!.replace(/\/\/.*$/gm, '');
    const listed = [...groups.matchAll(/\w+/g)].map((m) => m[0]);
    const imports = new Map([...registry.matchAll(/import \{ (\w+) \} from '(\.\/[^']+)';/g)].map((m) => [m[1]!, m[2]!]));
    const files = listed.map((name) => imports.get(name)!);
    expect(files.length).toBe(SERVICES.length);
    for (const f of files) {
      const text = readFileSync(join(__dirname, `${f}.ts`), 'utf8');
      const header = (/^\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '').replace(/\s*\n\s*\*\s*/g, ' ');
      expect({ file: f, says: /not emulated|emulates nothing/i.test(header) }).toEqual({ file: f, says: true });
    }
  });
});

describe('not-emulated summary', () => {
  const t = loadStackTemplate(join(REPO, 'local', 'test', 'fixtures', 'template.yaml'));
  const withUnknown = {
    ...t,
    resources: { ...t.resources, Odd: { Type: 'AWS::Nope::Thing', Properties: {} }, Odd2: { Type: 'AWS::Nope::Thing', Properties: {} } },
  };

  it('groups by kind with counts, and names types no module knows', () => {
    const lines = notEmulatedSummary(withUnknown, CATALOG, false);
    expect(lines[0]).toMatch(/^not emulated \(each resource: npm start -- --verbose\):$/);
    expect(lines).toContain('  AWS::Nope::Thing (2): unknown to the local runtime');
    expect(lines).toContain('  CloudWatch alarms (1): defined, not evaluated');
    expect(lines.join('\n')).not.toMatch(/Odd2/);
  });

  it('lists every resource with --verbose', () => {
    const lines = notEmulatedSummary(withUnknown, CATALOG, true);
    const i = lines.indexOf('  AWS::Nope::Thing (2): unknown to the local runtime');
    expect(lines[i + 1]).toBe('    Odd, Odd2');
  });

  it('says nothing when everything is emulated', () => {
    expect(notEmulatedSummary({ ...t, resources: { Q: { Type: 'AWS::SQS::Queue', Properties: {} } } }, CATALOG, false)).toEqual([]);
  });
});
