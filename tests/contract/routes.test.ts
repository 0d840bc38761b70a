/**
 * Contract: the route table (layers/shared/src/routes.ts) is what template.yaml deploys. Every
 * Api event of the template is a route of the table, served by the function the table names,
 * public exactly when the table says so; every route of the table is deployed once. The
 * OpenAPI document and the handlers' dispatch come from the same table (openapi.test.ts,
 * api.test.ts; the compiler checks each handler serves exactly its function's routes).
 */
import { join } from 'node:path';
import { ROUTES, buildOpenApiDocument, routeKeys } from '@myapp/shared';
import { loadTemplateFile, type JsonObject } from '../../local/src/template';

const root = join(__dirname, '..', '..');
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

interface DeployedRoute {
  key: string;
  fn: string;
  public: boolean;
}

function deployedRoutes(t: JsonObject): DeployedRoute[] {
  const routes: DeployedRoute[] = [];
  for (const [fn, res] of Object.entries(obj(t.Resources))) {
    if (obj(res).Type !== 'AWS::Serverless::Function') continue;
    for (const ev of Object.values(obj(obj(obj(res).Properties).Events))) {
      if (obj(ev).Type !== 'Api') continue;
      const p = obj(obj(ev).Properties);
      routes.push({ key: `${String(p.Method).toUpperCase()} ${String(p.Path)}`, fn, public: obj(p.Auth).Authorizer === 'NONE' });
    }
  }
  return routes;
}

describe('route table ⇔ template.yaml', () => {
  const deployed = deployedRoutes(loadTemplateFile(join(root, 'template.yaml')));
  const table = routeKeys.map((key) => ({ key, fn: ROUTES[key].fn, public: ROUTES[key].auth === 'public' }));

  it('deploys every route of the table once, on its function, public exactly when the table says so', () => {
    expect([...deployed].sort((a, b) => a.key.localeCompare(b.key))).toEqual([...table].sort((a, b) => a.key.localeCompare(b.key)));
  });

  it('holds the 24 routes of SPEC 4, three of them public', () => {
    expect(deployed).toHaveLength(24);
    expect(
      table
        .filter((r) => r.public)
        .map((r) => r.key)
        .sort(),
    ).toEqual(['GET /health', 'GET /openapi.json', 'GET /products']);
  });

  it('documents exactly the table in the OpenAPI document, public routes without security', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        public: Array.isArray(op.security) && op.security.length === 0,
      })),
    );
    expect(ops.sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      table.map(({ key, public: p }) => ({ key, public: p })).sort((a, b) => a.key.localeCompare(b.key)),
    );
  });
});
