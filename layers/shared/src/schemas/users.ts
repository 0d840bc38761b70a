import * as z from 'zod';
import { page } from './common';

/** A user and its profile are one record (SPEC 5), keyed by the Cognito `sub` or a generated uuid. */
export const UserId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'Must contain only letters, digits, "-" and "_"');

export const Plan = z.enum(['free', 'pro', 'enterprise']);
export type Plan = z.infer<typeof Plan>;

const Name = z.string().trim().min(1).max(100);
const Email = z.email().max(254);
const Bio = z.string().max(1000);

export const User = z.object({
  userId: UserId,
  name: z.string(),
  email: z.string(),
  plan: Plan,
  bio: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof User>;

export const UserList = page(User);
export type UserList = z.infer<typeof UserList>;

/** `plan` defaults to `free` (seed 000 creates users with a name and an email only). */
export const CreateUserRequest = z.strictObject({ name: Name, email: Email, plan: Plan.default('free') });
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .strictObject({ name: Name.optional(), plan: Plan.optional(), bio: Bio.optional() })
  .refine((v) => v.name !== undefined || v.plan !== undefined || v.bio !== undefined, {
    message: 'At least one of name, plan, bio is required',
  });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

/** The caller's own profile: email comes from the token, never from the body. */
export const UpsertProfileRequest = z.strictObject({ name: Name, plan: Plan.optional(), bio: Bio.optional() });
export type UpsertProfileRequest = z.infer<typeof UpsertProfileRequest>;

export type Profile = User;

export const UserPathParams = z.object({ userId: UserId });
