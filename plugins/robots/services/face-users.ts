import type { AuthUsers } from '../../auth/api.js';

/** What the face needs of the auth plugin's users to show them as the seed does. */
export type FaceUserDirectory = Pick<AuthUsers, 'numbers' | 'idOfNumber'>;

/**
 * A user's `nickname` everywhere on this face (1.2, 1.3, 6.2, 7.1): their name, else their phone
 * (a phone user has no name until they give one), else their email.
 */
export const nicknameOf = (user: { full_name?: string | null; phone?: string | null; email?: string | null }): string =>
  user.full_name || user.phone || user.email || '';

/** The user's number: the integer `userId` the seed shows (the platform's UUID stays inside). */
export async function userNumberOf(users: FaceUserDirectory, id: string): Promise<number> {
  const n = (await users.numbers([id])).get(id);
  if (n === undefined) throw new Error(`user ${id} has no number`);
  return n;
}

/**
 * The user id a request names: the seed's integer `userId` (or its digits as a string), or a UUID as
 * before the face had numbers. Undefined when a number names no one; the caller answers 404 as for
 * an unknown id (and checks the tenant as it always did).
 */
export async function userIdFrom(users: FaceUserDirectory, ref: string | number): Promise<string | undefined> {
  const text = String(ref);
  return /^\d+$/.test(text) ? users.idOfNumber(Number(text)) : text;
}
