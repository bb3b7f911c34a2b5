import type { Principal } from './access/policy.js';

/**
 * People as records name them. A recorded actor (`requestedBy`, `submittedBy`, a sign-off's `by`, …) is a string: the
 * person's subject (the token's `sub`) for everything written since subjects were used, or an e-mail address in
 * records written before. One rule decides whether such a string is a given person; separation of duties and the
 * per-person cap on open change requests both use it.
 */

/** The parts of a principal that identify the person: the subject, and the e-mail on record when known. */
export type Person = Pick<Principal, 'subject' | 'email'>;

/**
 * Whether a recorded actor is this person: the subject exactly (subjects are opaque ids, so two differing only in
 * case are two people), or the person's e-mail ignoring case (addresses in old records were typed in any case).
 * An empty or missing record is nobody.
 */
export function samePerson(person: Person, recorded: string | undefined): boolean {
  if (!recorded) return false;
  if (recorded === person.subject) return true;
  return person.email !== undefined && recorded.toLowerCase() === person.email.toLowerCase();
}

/**
 * The keys a recorded actor is filed under, for stores that must find a person's records by key (a counter per
 * person): `sub:<recorded exactly>` and `email:<recorded in lower case>`. A recorded string is either a subject or
 * an e-mail and the record does not say which, so it is filed under both.
 */
export function actorKeys(recorded: string): [string, string] {
  return [`sub:${recorded}`, `email:${recorded.toLowerCase()}`];
}

/**
 * The keys to look a person up under: a recorded actor is `samePerson` of this person exactly when one of its
 * `actorKeys` is among these, and never more than one is, so counts filed per key add up to the person's count
 * with each record once. The subject's key and the e-mail's (lower case); only the e-mail's when the subject equals
 * the e-mail ignoring case (every record filed under the subject is then filed under the e-mail too); only the
 * subject's when no e-mail is known.
 */
export function personKeys(person: Person): string[] {
  const subject = `sub:${person.subject}`;
  if (!person.email) return [subject];
  const email = `email:${person.email.toLowerCase()}`;
  return person.subject.toLowerCase() === person.email.toLowerCase() ? [email] : [subject, email];
}
