import { z } from "zod";

export const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });

export const userView = (u: { id: string; email: string; name: string }) => ({ id: u.id, email: u.email, name: u.name });
