/**
 * template.yaml through AWS's own Python tools, which `npm test` cannot count on (a laptop
 * without Python tools has neither) and a test must not skip without: `.ci/run` runs this
 * where cfn-lint is installed (cfn-lint brings aws-sam-translator with it), and so can anyone
 * who has it (`npm run lint:template`).
 *
 * - cfn-lint with its informational checks finds nothing (so every stateful resource has an
 *   explicit DeletionPolicy).
 * - aws-sam-translator (the library behind SAM and CloudFormation's Serverless transform)
 *   turns the template into plain CloudFormation after AWS::LanguageExtensions, which
 *   CloudFormation applies first (here: local/src/template/language-extensions.ts, as the
 *   local runtime does), with every function, log group and alarm the loops write.
 *
 * Exits 1 with what failed. What runs everywhere (the expansion, the template's own rules)
 * is in jest: local/src/template/language-extensions.test.ts, tests/template/template.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadTemplateFile } from '../local/src/template';

const root = join(__dirname, '..');
const template = join(root, 'template.yaml');

/** What the translated template must hold: 23 functions, and the loops' log groups and alarms. */
const EXPECTED_TYPES: Record<string, number> = {
  'AWS::Lambda::Function': 23,
  'AWS::Logs::LogGroup': 25,
  'AWS::CloudWatch::Alarm': 50,
  'AWS::ApiGateway::RestApi': 1,
};

/** Transforms stdin's template (local paths as s3:// URIs, as `sam package` would leave them) and prints the resource types it made. */
const TRANSFORM = `
import json, sys
from collections import Counter
from samtranslator.translator.transform import transform
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader

class NoIamLoader(ManagedPolicyLoader):
    def __init__(self): pass
    def load(self): return {}

t = json.load(sys.stdin)
for r in t["Resources"].values():
    p = r.get("Properties", {})
    for k in ("CodeUri", "ContentUri", "DefinitionUri"):
        if isinstance(p.get(k), str) and not p[k].startswith("s3://"):
            p[k] = "s3://bucket/" + p[k].strip("/")
t["Transform"] = "AWS::Serverless-2016-10-31"
out = transform(t, {}, NoIamLoader())
print(json.dumps(Counter(r["Type"] for r in out["Resources"].values())))
`;

function cfnLint(): string[] {
  const out = spawnSync('cfn-lint', ['--include-checks', 'I', '--', template], { encoding: 'utf8', cwd: root });
  if (out.error) return [`cfn-lint could not run: ${out.error.message}`];
  return out.status === 0 && out.stdout.trim() === ''
    ? []
    : [`cfn-lint (informational checks included) exited ${out.status}:\n${out.stdout}${out.stderr}`];
}

function samTranslator(): string[] {
  const out = spawnSync('python3', ['-c', TRANSFORM], {
    input: JSON.stringify(loadTemplateFile(template)),
    encoding: 'utf8',
    env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' },
  });
  if (out.status !== 0) return [`aws-sam-translator failed (exit ${out.status}):\n${out.stderr}`];
  const types = JSON.parse(out.stdout) as Record<string, number>;
  const problems = Object.keys(types)
    .filter((t) => t.startsWith('AWS::Serverless::'))
    .map((t) => `aws-sam-translator left ${t} untransformed`);
  for (const [type, count] of Object.entries(EXPECTED_TYPES)) {
    if (types[type] !== count) problems.push(`aws-sam-translator made ${types[type] ?? 0} ${type}, expected ${count}`);
  }
  return problems;
}

const problems = [...cfnLint(), ...samTranslator()];
for (const p of problems) console.error(p);
if (problems.length) process.exit(1);
console.log(
  'template.yaml: cfn-lint (informational checks included) finds nothing; aws-sam-translator makes plain CloudFormation with 23 functions, 25 log groups, 50 alarms',
);
