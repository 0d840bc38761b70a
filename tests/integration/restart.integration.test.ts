/**
 * State survives a restart of the local runtime (no --fresh): Cognito users and their
 * tokens (same signing key, pool id and issuer), and table data written through the API.
 */
import { createTestUser, startLocalRuntime, type LocalRuntimeHandle } from '../support/runtime';

jest.setTimeout(180_000);

let rt: LocalRuntimeHandle;

beforeAll(async () => {
  rt = await startLocalRuntime();
});
afterAll(async () => {
  await rt?.stop();
});

it('keeps users, tokens, to-dos and the catalogue across a restart', async () => {
  const user = await createTestUser(rt.outputs);
  const api = () => rt.outputs.APIEndpoint!.replace(/\/$/, '');
  const created = await fetch(`${api()}/todos`, {
    method: 'POST',
    headers: { ...user.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'survive a restart' }),
  });
  expect(created.status).toBe(201);
  const { todoId } = (await created.json()) as { todoId: string };
  const poolBefore = rt.outputs.UserPoolId;

  await rt.restart();

  expect(rt.outputs.UserPoolId).toBe(poolBefore);
  // The token issued before the restart still passes the authorizer.
  const got = await fetch(`${api()}/todos/${todoId}`, { headers: user.headers });
  expect(got.status).toBe(200);
  expect(((await got.json()) as { title: string }).title).toBe('survive a restart');
  const products = await fetch(`${api()}/products`);
  expect(products.status).toBe(200);
  // The catalogue custom resource ran once (fresh start only), as a stack create would.
  expect(rt.output().match(/Catalogue CREATE_COMPLETE/g)?.length).toBe(1);
});
