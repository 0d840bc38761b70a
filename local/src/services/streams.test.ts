import { checkpointRefused } from './streams';

describe('checkpointRefused (when a stream poller may fall back to TRIM_HORIZON)', () => {
  const service = (name: string, httpStatusCode: number, fault: 'client' | 'server') =>
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode } });

  it('is true when the service refuses the checkpoint itself', () => {
    expect(checkpointRefused(service('TrimmedDataAccessException', 400, 'client'))).toBe(true);
    expect(checkpointRefused(service('ValidationException', 400, 'client'))).toBe(true);
  });

  it('is false for a database that is down, slow or busy: the poller retries from the checkpoint', () => {
    // What the SDK throws while DynamoDB Local restarts: no service answer at all.
    expect(
      checkpointRefused(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED', $metadata: { attempts: 4 } }),
      ),
    ).toBe(false);
    expect(checkpointRefused(Object.assign(new Error('socket timed out'), { name: 'TimeoutError', $metadata: {} }))).toBe(false);
    expect(checkpointRefused(service('InternalServerError', 500, 'server'))).toBe(false);
    expect(checkpointRefused(service('ThrottlingException', 400, 'client'))).toBe(false);
    expect(checkpointRefused(undefined)).toBe(false);
  });
});
