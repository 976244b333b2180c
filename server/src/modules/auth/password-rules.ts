// What a new password must be, wherever one is chosen: accepting an invitation with a
// new account, changing one's password, a reset link, the operator command.
import { z } from "zod";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
export const PASSWORD_HINT = `Use at least ${PASSWORD_MIN} characters`;

export const newPassword = z.string().min(PASSWORD_MIN, PASSWORD_HINT).max(PASSWORD_MAX);
/** A password given to be checked: any length we accept at all. */
export const givenPassword = z.string().min(1).max(PASSWORD_MAX);
