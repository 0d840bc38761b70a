import { CreateUserRequest, UpdateUserRequest, UpsertProfileRequest, UserPathParams } from './users';

const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  r.error?.issues.map((i) => i.path.join('.')) ?? [];

describe('user schemas', () => {
  it('CreateUserRequest accepts the three fields and trims the name', () => {
    expect(CreateUserRequest.parse({ name: ' Ann ', email: 'ann@example.com', plan: 'enterprise' })).toEqual({
      name: 'Ann',
      email: 'ann@example.com',
      plan: 'enterprise',
    });
  });

  it('CreateUserRequest gives a user without a plan the free plan (seed 000)', () => {
    expect(CreateUserRequest.parse({ name: 'Alice', email: 'alice@example.com' })).toEqual({
      name: 'Alice',
      email: 'alice@example.com',
      plan: 'free',
    });
  });

  it.each([
    [{ name: 'A', email: 'ann@example.com', plan: 'free', admin: true }, 'unknown field'],
    [{ name: 'A', email: 'ann@example.com', plan: null }, 'plan null is not absent'],
    [{ name: 'A', email: 'x', plan: 'free' }, 'email'],
    [{ name: '   ', email: 'a@b.co', plan: 'free' }, 'name'],
    [{ name: 'A'.repeat(101), email: 'a@b.co', plan: 'free' }, 'name'],
    [{ name: 'A', email: 'a@b.co', plan: 'Free' }, 'plan'],
  ])('CreateUserRequest refuses %j (%s)', (body, _why) => {
    expect(CreateUserRequest.safeParse(body).success).toBe(false);
  });

  it('UpdateUserRequest needs at least one field and refuses email', () => {
    expect(UpdateUserRequest.safeParse({}).success).toBe(false);
    expect(paths(UpdateUserRequest.safeParse({ email: 'a@b.co' }))).toContain('');
    expect(UpdateUserRequest.parse({ bio: '' })).toEqual({ bio: '' });
  });

  it('UpsertProfileRequest takes no email or userId from the body', () => {
    expect(UpsertProfileRequest.safeParse({ name: 'A', email: 'a@b.co' }).success).toBe(false);
    expect(UpsertProfileRequest.safeParse({ name: 'A', userId: 'x' }).success).toBe(false);
    expect(UpsertProfileRequest.parse({ name: 'A' })).toEqual({ name: 'A' });
  });

  it('UserPathParams refuses ids that are unsafe in keys and paths', () => {
    expect(UserPathParams.safeParse({ userId: 'a/b' }).success).toBe(false);
    expect(UserPathParams.safeParse({ userId: '' }).success).toBe(false);
    expect(UserPathParams.parse({ userId: '3f1c-aa_9' })).toEqual({ userId: '3f1c-aa_9' });
  });
});
