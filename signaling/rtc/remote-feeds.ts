// A remote member's feeds as the kit's elements play them (signaling/media/feed.ts): one stable MediaStream per
// member and purpose (camera and microphone, screen and its sound), holding the LiveKit tracks subscribed now, so a
// <video> keeps its stream while tracks come and go.
import { Track, type RemoteParticipant, type RemoteTrack } from 'livekit-client';
import type { CallFeed, StreamPurpose } from '../media/feed.js';
import type { RosterMember } from './roster.js';

export class RemoteFeeds {
  private readonly streams = new Map<string, Map<StreamPurpose, MediaStream>>();

  /** One stable MediaStream per member and purpose, holding the tracks subscribed now. */
  feedsOf(member: RosterMember, participant: RemoteParticipant): CallFeed[] {
    let streams = this.streams.get(member.identity);
    if (!streams) {
      streams = new Map();
      this.streams.set(member.identity, streams);
    }
    const feeds: CallFeed[] = [];
    const purposes: [StreamPurpose, Track.Source, Track.Source][] = [
      ['m.usermedia', Track.Source.Microphone, Track.Source.Camera],
      ['m.screenshare', Track.Source.ScreenShareAudio, Track.Source.ScreenShare],
    ];
    for (const [purpose, audioSource, videoSource] of purposes) {
      const audio = participant.getTrackPublication(audioSource);
      const video = participant.getTrackPublication(videoSource);
      const tracks = [audio?.track, video?.track].filter((track): track is RemoteTrack => track !== undefined).map((track) => track.mediaStreamTrack);
      if (tracks.length === 0) {
        streams.delete(purpose);
        continue;
      }
      let stream = streams.get(purpose);
      if (!stream) {
        stream = new MediaStream();
        streams.set(purpose, stream);
      }
      for (const old of stream.getTracks()) if (!tracks.includes(old)) stream.removeTrack(old);
      for (const track of tracks) if (!stream.getTracks().includes(track)) stream.addTrack(track);
      feeds.push({
        id: stream.id,
        purpose,
        stream,
        isLocal: false,
        userId: member.userId,
        audioMuted: !audio?.track || audio.isMuted,
        videoMuted: !video?.track || video.isMuted,
      });
    }
    return feeds;
  }

  /** Forgets the streams of everyone but these identities. */
  keepOnly(identities: ReadonlySet<string>): void {
    for (const identity of this.streams.keys()) if (!identities.has(identity)) this.streams.delete(identity);
  }

  clear(): void {
    this.streams.clear();
  }
}
