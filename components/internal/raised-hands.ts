// Raised hands as every group call element shows them: numbered in the order they went up, as Element Call does,
// so whoever raised first is seen first.

/** Each raised hand's place in the order hands went up, from 1, by identity. */
export function raisedHandOrder(people: readonly { readonly identity: string; readonly handRaisedAt: number | undefined }[]): Map<string, number> {
  const raised = people
    .filter((person) => person.handRaisedAt !== undefined)
    .sort((a, b) => (a.handRaisedAt ?? 0) - (b.handRaisedAt ?? 0));
  return new Map(raised.map((person, index) => [person.identity, index + 1]));
}

/** The text alternative of a raised-hand badge. */
export function handText(order: number): string {
  return `Hand raised, number ${order}`;
}
