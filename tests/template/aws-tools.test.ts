/**
 * template.yaml through AWS's own tools: cfn-lint with informational checks (clean, so every
 * stateful resource has an explicit DeletionPolicy), and aws-sam-translator (the library
 * behind SAM and CloudFormation's Serverless transform) after AWS::LanguageExtensions, which
 * CloudFormation applies first (here: local/src/template/language-extensions.ts, as the
 * local runtime does). Both are Python tools: cfn-lint installs aws-sam-translator with it.
 * Where they are not installed (a laptop without Python tools) these tests are skipped, and
 * reported as such; .ci/run sets REQUIRE_AWS_TEMPLATE_TOOLS=1 when cfn-lint is there, so CI
 * never skips them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadTemplateFile } from '../../local/src/template';

const root = join(__dirname, '..', '..');
const template = join(root, 'template.yaml');
const available = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
const required = process.env.REQUIRE_AWS_TEMPLATE_TOOLS === '1';
const hasCfnLint = available('cfn-lint', ['--version']);
const hasTranslator = available('python3', ['-c', 'import samtranslator']);

const cfnLintTest = hasCfnLint || required ? test : test.skip;
const translatorTest = hasTranslator || required ? test : test.skip;

cfnLintTest('cfn-lint finds nothing, informational checks included', () => {
  const out = spawnSync('cfn-lint', ['--include-checks', 'I', '--', template], { encoding: 'utf8', cwd: root });
  expect({ status: out.status, findings: out.stdout.trim() }).toEqual({ status: 0, findings: '' });
}, 120_000);

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

translatorTest('aws-sam-translator transforms the expanded template into plain CloudFormation', () => {
  const expanded = loadTemplateFile(template);
  const out = spawnSync('python3', ['-c', TRANSFORM], { input: JSON.stringify(expanded), encoding: 'utf8', env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' } });
  expect(out.stderr.split('\n').filter((l) => /Error|Exception/.test(l))).toEqual([]);
  const types = JSON.parse(out.stdout) as Record<string, number>;
  expect(Object.keys(types).filter((t) => t.startsWith('AWS::Serverless::'))).toEqual([]);
  expect(types).toMatchObject({ 'AWS::Lambda::Function': 23, 'AWS::Logs::LogGroup': 25, 'AWS::CloudWatch::Alarm': 50, 'AWS::ApiGateway::RestApi': 1 });
}, 120_000);
