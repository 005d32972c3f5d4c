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
