// A new password's rules as the server has them (server/src/modules/auth/password-rules.ts):
// 8 characters or more; typed twice, the same both times.
export const PASSWORD_MIN = 8;

export const passwordsDiffer = (password: string, repeat: string) => repeat.length > 0 && repeat !== password;

export const newPasswordReady = (password: string, repeat: string) => password.length >= PASSWORD_MIN && repeat === password;
