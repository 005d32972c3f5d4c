/** The page's `navigator.mediaDevices`, which browsers leave undefined outside secure (https) contexts. */
export function browserMediaDevices(): MediaDevices | null {
  return globalThis.navigator?.mediaDevices ?? null;
}

/** The page's localStorage, or null where merely reading the property throws (sandboxed iframes, some privacy modes). */
export function browserStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function speakerSelectionSupported(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

export function insecureContext(): boolean {
  return globalThis.isSecureContext === false;
}

/**
 * Whether the page may already use the microphone (and the camera, for video) without asking. False where
 * the browser cannot tell (no Permissions API, or no such permission names), so callers then wait for
 * getUserMedia itself.
 */
export async function mediaPermissionGranted(video: boolean): Promise<boolean> {
  const permissions = globalThis.navigator?.permissions;
  if (typeof permissions?.query !== 'function') return false;
  const names = (video ? ['microphone', 'camera'] : ['microphone']) as PermissionName[];
  try {
    const states = await Promise.all(names.map((name) => permissions.query({ name })));
    return states.every((status) => status.state === 'granted');
  } catch {
    return false;
  }
}
