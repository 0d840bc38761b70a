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

  it('a thrown "Unauthorized" is UNAUTHORIZED', () => {
    expect(authorizerOutcome({ ok: false, error: { errorType: 'Error', errorMessage: 'Unauthorized' } })).toEqual({
      response: { type: 'UNAUTHORIZED' },
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
  ])('%s is AUTHORIZER_CONFIGURATION_ERROR, with the reason for the log', (_name, r) => {
    const out = authorizerOutcome(r);
    expect(out).toMatchObject({ response: { type: 'AUTHORIZER_CONFIGURATION_ERROR' } });
    expect((out as { response: { log?: string } }).response.log).toBeTruthy();
  });
});
