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

/** What `watchMediaPermissions` reads: the page's Permissions API, or a stand-in with the same `query`. */
export type PermissionsSource = Pick<Permissions, 'query'>;

export interface MediaPermissionWatch {
  /**
   * Whether the page may already use the microphone (and the camera, for video) without asking. False where
   * the browser cannot tell (no Permissions API, or no such permission names), so callers then wait for
   * getUserMedia itself.
   */
  granted(video: boolean): Promise<boolean>;
  /** Stops following permission changes. */
  dispose(): void;
}

const MEDIA_PERMISSIONS = ['microphone', 'camera'] as const;
type MediaPermission = (typeof MEDIA_PERMISSIONS)[number];

/**
 * Asks the browser once for the camera and microphone permission states and follows their changes from then
 * on, so a call reads them at once: each Permissions API query is a round trip to the browser process, which
 * is slowest right when a call opens the camera (tens of milliseconds on the way of an invite or answer).
 */
export function watchMediaPermissions(permissions: PermissionsSource | null = globalThis.navigator?.permissions ?? null): MediaPermissionWatch {
  const listening: (() => void)[] = [];
  let disposed = false;
  const follow = async (name: MediaPermission): Promise<PermissionStatus | undefined> => {
    if (typeof permissions?.query !== 'function') return undefined;
    try {
      const status = await permissions.query({ name: name as PermissionName });
      // Each call reads `state` afresh; Chromium only updates it while the status has a listener.
      const onChange = (): void => undefined;
      if (!disposed && typeof status.addEventListener === 'function') {
        status.addEventListener('change', onChange);
        listening.push(() => status.removeEventListener('change', onChange));
      }
      return status;
    } catch {
      // A browser without this permission name (older Firefox versions have no "camera"): it cannot tell.
      return undefined;
    }
  };
  const statuses = new Map(MEDIA_PERMISSIONS.map((name) => [name, follow(name)] as const));
  return {
    async granted(video) {
      const needed: MediaPermission[] = video ? ['microphone', 'camera'] : ['microphone'];
      const states = await Promise.all(needed.map(async (name) => (await statuses.get(name))?.state));
      return states.every((state) => state === 'granted');
    },
    dispose() {
      disposed = true;
      for (const stop of listening.splice(0)) stop();
    },
  };
}
