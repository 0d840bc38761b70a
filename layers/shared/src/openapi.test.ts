import { buildOpenApiDocument } from './openapi';
import { routeKeys } from './routes';
import * as S from './schemas';
import { z } from './schemas/zod';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { security: unknown[]; requestBody?: unknown; responses: Record<string, unknown>; operationId: string }>
  >;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown }>;
    securitySchemes: Record<string, unknown>;
  };
};

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument({ serverUrl: 'https://api.example.com/Prod' }) as unknown as Doc;

  it('lists every route once, with unique operation ids', () => {
    const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m).map((k) => `${k} ${p}`));
    expect(ops.sort()).toEqual(routeKeys.map((k) => k.replace(/^[A-Z]+/, (m) => m.toLowerCase())).sort());
    const ids = Object.values(doc.paths).flatMap((m) => Object.values(m).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('marks public routes and secures the rest with the bearer scheme', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/health']?.get?.security).toEqual([]);
    expect(doc.paths['/products']?.get?.security).toEqual([]);
    expect(doc.paths['/orders']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/orders']?.post?.responses['401']).toBeDefined();
  });

  it('derives request schemas from the zod schemas (strict, required fields)', () => {
    const create = doc.components.schemas.CreateOrderRequest!;
    expect(create.required).toEqual(['items']);
    expect(create.additionalProperties).toBe(false);
    expect(Object.keys(create.properties ?? {}).sort()).toEqual(['items', 'orderId', 'paymentToken']);
  });

  it('documents that POST /users defaults plan to free', () => {
    const create = doc.components.schemas.CreateUserRequest!;
    expect(create.required).toEqual(['name', 'email']);
    expect(create.properties?.plan).toMatchObject({ default: 'free', enum: ['free', 'pro', 'enterprise'] });
  });

  it('documents the error shape on every route', () => {
    const err = doc.components.schemas.ErrorResponse!;
    expect(err.required).toEqual(expect.arrayContaining(['error', 'requestId']));
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods)) expect(op.responses['500']).toBeDefined();
    }
  });

  it('takes path and query parameters and statuses from the route table', () => {
    const get = doc.paths['/orders/{orderId}']!.get as unknown as { parameters: Array<{ name: string; in: string; required: boolean }> };
    expect(get.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['orderId', 'path', true],
      ['include', 'query', false],
    ]);
    expect(Object.keys(doc.paths['/orders/{orderId}/retry']!.post!.responses)).toContain('202');
    expect(Object.keys(doc.paths['/todos/{todoId}']!.delete!.responses)).toContain('204');
    expect(doc.paths['/users/{userId}']!.get!.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/User' } } },
    });
  });

  it('finds each schema under one export name, so component names do not depend on export order', () => {
    const names = new Map<unknown, string>();
    for (const [name, value] of Object.entries(S)) {
      if (!(value instanceof z.ZodType)) continue;
      expect({ name, alsoExportedAs: names.get(value) }).toEqual({ name, alsoExportedAs: undefined });
      names.set(value, name);
    }
  });
});
