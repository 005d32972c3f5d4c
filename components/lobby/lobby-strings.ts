// The words <mx-lobby> shows, in one module so that a localisation layer has one place to replace.

/** The heading: which call the lobby leads into. */
export function joinTitle(roomName: string | null | undefined): string {
  const name = typeof roomName === 'string' ? roomName.trim() : '';
  return name ? `Join ${name}` : 'Join the call';
}

/** Who is already in the call; `undefined` when the count is unknown or not a count. */
export function participantCountText(count: number | null | undefined): string | undefined {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return undefined;
  if (count === 0) return 'Nobody is in the call yet';
  return count === 1 ? '1 person is in the call' : `${count} people are in the call`;
}
