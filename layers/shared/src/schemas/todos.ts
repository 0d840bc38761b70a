import * as z from 'zod';
import { page } from './common';

export const TodoId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Must contain only letters, digits, "-" and "_"');

/** A calendar date (YYYY-MM-DD) or a full ISO date-time. */
const DueDate = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'Must be an ISO date (YYYY-MM-DD) or date-time' });
const Title = z.string().trim().min(1).max(200);
const Notes = z.string().max(2000);

export const Todo = z.object({
  userId: z.string(),
  todoId: TodoId,
  title: z.string(),
  done: z.boolean(),
  dueDate: z.string().optional(),
  notes: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().optional(),
});
export type Todo = z.infer<typeof Todo>;

export const TodoList = page(Todo);
export type TodoList = z.infer<typeof TodoList>;

export const CreateTodoRequest = z.strictObject({ title: Title, dueDate: DueDate.optional(), notes: Notes.optional() });
export type CreateTodoRequest = z.infer<typeof CreateTodoRequest>;

export const UpdateTodoRequest = z
  .strictObject({ title: Title.optional(), done: z.boolean().optional(), dueDate: DueDate.optional(), notes: Notes.optional() })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'At least one of title, done, dueDate, notes is required',
  });
export type UpdateTodoRequest = z.infer<typeof UpdateTodoRequest>;

export const TodoPathParams = z.object({ todoId: TodoId });
