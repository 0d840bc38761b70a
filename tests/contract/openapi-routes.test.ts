/**
 * Contract: the API routes declared in template.yaml and the operations of the OpenAPI
 * document are the same set, and the document's public operations are exactly the routes
 * the template leaves without an authorizer.
 */
import { join } from 'node:path';
import { buildOpenApiDocument } from '@myapp/shared';
import { loadTemplateFile, type JsonObject } from '../../local/src/template';

const root = join(__dirname, '..', '..');
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

interface TemplateRoute { key: string; public: boolean }

function templateRoutes(t: JsonObject): TemplateRoute[] {
  const routes: TemplateRoute[] = [];
  for (const res of Object.values(obj(t.Resources))) {
    if (obj(res).Type !== 'AWS::Serverless::Function') continue;
    for (const ev of Object.values(obj(obj(obj(res).Properties).Events))) {
      if (obj(ev).Type !== 'Api') continue;
      const p = obj(obj(ev).Properties);
      const auth = obj(p.Auth);
      routes.push({ key: `${String(p.Method).toLowerCase()} ${String(p.Path)}`, public: auth.Authorizer === 'NONE' });
    }
  }
  return routes;
}

describe('template routes ⇔ OpenAPI document', () => {
  const template = loadTemplateFile(join(root, 'template.yaml'));
  const routes = templateRoutes(template);
  const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ key: `${method} ${path}`, public: Array.isArray(op.security) && op.security.length === 0 })),
  );

  it('finds the API routes in the template', () => {
    expect(routes.length).toBeGreaterThan(20);
  });

  it('documents every template route', () => {
    const documented = new Set(ops.map((o) => o.key));
    expect(routes.map((r) => r.key).filter((k) => !documented.has(k))).toEqual([]);
  });

  it('documents no route the template lacks', () => {
    const declared = new Set(routes.map((r) => r.key));
    expect(ops.map((o) => o.key).filter((k) => !declared.has(k))).toEqual([]);
  });

  it('marks as public exactly the routes without an authorizer', () => {
    const publicInTemplate = routes.filter((r) => r.public).map((r) => r.key).sort();
    const publicInDoc = ops.filter((o) => o.public).map((o) => o.key).sort();
    expect(publicInDoc).toEqual(publicInTemplate);
    expect(publicInDoc).toEqual(expect.arrayContaining(['get /health', 'get /products', 'get /openapi.json']));
  });
});
