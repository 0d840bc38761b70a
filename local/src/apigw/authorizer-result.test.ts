/** API Gateway's answers to a TOKEN authorizer's outcomes. */
import { authorizerOutcome } from './authorizer-result';

const policy = {
  principalId: 'u1',
  policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] },
  context: { sub: 'u1', n: 1, b: true },
};

describe('authorizerOutcome', () => {
  it('a policy passes through', () => {
    expect(authorizerOutcome({ ok: true, payload: policy })).toEqual({ policy });
  });

  it('a thrown "Unauthorized" is 401 {"message":"Unauthorized"}', () => {
    expect(authorizerOutcome({ ok: false, error: { errorType: 'Error', errorMessage: 'Unauthorized' } })).toEqual({
      response: { status: 401, body: { message: 'Unauthorized' }, headers: { 'x-amzn-errortype': 'UnauthorizedException' } },
    });
  });

  it.each([
    [
      'another error (the JWKS could not be fetched)',
      { ok: false, error: { errorType: 'JwksUnavailableError', errorMessage: 'JWKS unavailable' } },
    ],
    ['a timeout', { ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 10.00 seconds' } }],
    ['"unauthorized" in another case', { ok: false, error: { errorType: 'Error', errorMessage: 'unauthorized' } }],
    ['no payload', { ok: true, payload: null }],
    ['no principalId', { ok: true, payload: { policyDocument: policy.policyDocument } }],
    ['no policyDocument', { ok: true, payload: { principalId: 'u1' } }],
    ['an object in the context', { ok: true, payload: { ...policy, context: { groups: ['a'] } } }],
  ])('%s is 500 {"message":null}, AuthorizerConfigurationException', (_name, r) => {
    const out = authorizerOutcome(r);
    expect(out).toMatchObject({
      response: { status: 500, body: { message: null }, headers: { 'x-amzn-errortype': 'AuthorizerConfigurationException' } },
    });
    expect((out as { response: { log?: string } }).response.log).toBeTruthy();
  });
});
