/** DynamoDB's error shapes, read without importing the SDK's error classes (names are stable across versions). */

export interface CancellationReason {
  Code?: string;
  Item?: Record<string, unknown>;
}

export function isConditionalCheckFailed(e: unknown): e is Error & { Item?: Record<string, unknown> } {
  return e instanceof Error && e.name === 'ConditionalCheckFailedException';
}

/** The per-action reasons of a cancelled transaction, or undefined when `e` is not one. */
export function cancellationReasons(e: unknown): CancellationReason[] | undefined {
  if (!(e instanceof Error) || e.name !== 'TransactionCanceledException') return undefined;
  return ((e as { CancellationReasons?: CancellationReason[] }).CancellationReasons ??
    []) as CancellationReason[];
}
