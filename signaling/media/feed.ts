// Media streams as calls of either kind show them: a 1:1 call's feeds and a group call's participants' feeds.

export const STREAM_PURPOSES = ['m.usermedia', 'm.screenshare'] as const;
export type StreamPurpose = (typeof STREAM_PURPOSES)[number];

/** One media stream of a call: the local camera and microphone, a screen share, or a remote participant's. */
export interface CallFeed {
  /** The MediaStream id (in a 1:1 call, also its key in `sdp_stream_metadata`). */
  readonly id: string;
  readonly purpose: StreamPurpose;
  readonly stream: MediaStream;
  readonly isLocal: boolean;
  readonly userId: string;
  readonly audioMuted: boolean;
  readonly videoMuted: boolean;
}
