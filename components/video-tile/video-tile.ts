import { html, nothing, type PropertyValues, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { CallFeed } from '../../signaling/media/feed.js';
import { cameraOffIcon, micOffIcon, playIcon, screenShareIcon } from '../internal/icons.js';
import { visibleName } from '../internal/call-strings.js';
import { avatarStyles, renderAvatar } from '../internal/avatar.js';
import { hostStyles } from '../internal/host-styles.js';
import { MxElement } from '../internal/mx-element.js';
import styles from './video-tile.styles.js';

/** Whether the stream has a video track that is producing frames. */
function hasLiveVideo(stream: MediaStream): boolean {
  return stream.getVideoTracks().some((track) => track.readyState === 'live' && !track.muted);
}

/**
 * Re-renders the host when the stream's tracks change without the feed object changing: a track added by
 * renegotiation, a remote track muted by the network or a hold, a camera unplugged.
 */
class TrackWatcher implements ReactiveController {
  private watched: { stream: MediaStream; tracks: MediaStreamTrack[] } | undefined;
  private readonly onChange = () => {
    this.sync();
    this.host.requestUpdate();
  };

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly streamOf: () => MediaStream | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.unwatch();
  }

  private sync(): void {
    const stream = this.streamOf();
    const tracks = stream?.getVideoTracks() ?? [];
    const watched = this.watched;
    if (watched && watched.stream === stream && watched.tracks.length === tracks.length && watched.tracks.every((t, i) => t === tracks[i])) {
      return;
    }
    this.unwatch();
    if (!stream) return;
    stream.addEventListener('addtrack', this.onChange);
    stream.addEventListener('removetrack', this.onChange);
    for (const track of tracks) {
      for (const type of ['mute', 'unmute', 'ended']) track.addEventListener(type, this.onChange);
    }
    this.watched = { stream, tracks };
  }

  private unwatch(): void {
    if (!this.watched) return;
    const { stream, tracks } = this.watched;
    stream.removeEventListener('addtrack', this.onChange);
    stream.removeEventListener('removetrack', this.onChange);
    for (const track of tracks) {
      for (const type of ['mute', 'unmute', 'ended']) track.removeEventListener(type, this.onChange);
    }
    this.watched = undefined;
  }
}

/**
 * @summary Shows one call feed: its video, or an avatar while there is no picture, with the person's name.
 * @tag mx-video-tile
 * @status experimental
 * @since 0.1.0
 *
 * @csspart base - The tile's frame.
 * @csspart video - The `<video>` element; it stays in the tile (hidden) while there is no picture, so the feed's audio keeps playing.
 * @csspart placeholder - What is shown instead of the video: an avatar, or an icon for your own camera or a screen share.
 * @csspart avatar - The avatar image or initials inside the placeholder.
 * @csspart name - The name label.
 * @csspart indicator - The muted-microphone badge next to the name.
 * @csspart play-button - The button shown when the browser blocked autoplay.
 *
 * @cssprop [--mx-video-tile-background=#1f232b] - Background behind the video and the placeholder.
 * @cssprop [--mx-video-tile-color=#f5f7fa] - Text colour.
 * @cssprop [--mx-video-tile-radius=0.75rem] - Corner radius.
 * @cssprop [--mx-video-tile-camera-fit=cover] - `object-fit` of camera video.
 * @cssprop [--mx-video-tile-screenshare-fit=contain] - `object-fit` of screen shares, so no part of a shared screen is cropped.
 * @cssprop [--mx-video-tile-avatar-size=min(40cqmin, 7.5rem)] - Diameter of the placeholder avatar.
 * @cssprop [--mx-video-tile-label-background=rgb(0 0 0 / 0.6)] - Background of the name label.
 * @cssprop [--mx-video-tile-indicator-color=#e5484d] - Background of the muted-microphone badge.
 *
 * @cssstate local - The feed is this device's own.
 * @cssstate screenshare - The feed is a screen share.
 * @cssstate mirrored - The video is mirrored (your own camera).
 * @cssstate video-off - No picture: no feed, no live video track, or the video is muted; the placeholder shows.
 * @cssstate audio-muted - The feed's microphone is muted.
 * @cssstate play-blocked - The browser refused to start playback without a click.
 */
export class MxVideoTile extends MxElement {
  static override styles = [hostStyles, avatarStyles, styles];

  private readonly tracks = new TrackWatcher(this, () => this.feed?.stream);

  /** The feed to show. Without one the tile shows the placeholder for `name`. */
  @property({ attribute: false }) feed: CallFeed | undefined;

  /** The name to show; the feed's Matrix user id stands in when it is unset or shows no character. */
  @property() name: string | undefined;

  /** Leaves the name out of the label (the muted badge stays), for layouts that show the name elsewhere. */
  @property({ type: Boolean, attribute: 'hide-name', reflect: true }) hideName = false;

  /**
   * The person's avatar as an object URL (`blob:`, from `URL.createObjectURL`), shown while there is no picture.
   * No other URL is loaded: an avatar URL is the person's choice, and fetching it tells their server who is
   * looking and when. `<mx-call>` fills it from the homeserver's authenticated media.
   */
  @property({ attribute: 'avatar-url' }) avatarUrl: string | undefined;

  /**
   * The speaker the feed's sound plays on: an `audiooutput` device id, such as `selected.speaker` of a
   * `MediaDevicesStore`. Unset or empty is the browser's default. Ignored where the browser cannot choose a
   * speaker; a speaker that is gone leaves the sound on the default, with a console warning.
   */
  @property({ attribute: 'sink-id' }) sinkId: string | undefined;

  @state() private playBlocked = false;
  @state() private avatarFailed = false;

  @query('video') private readonly video!: HTMLVideoElement | null;

  override connectedCallback(): void {
    super.connectedCallback();
    // Disconnecting released the stream; the next update attaches it again.
    if (this.hasUpdated) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.video) this.video.srcObject = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('avatarUrl')) this.avatarFailed = false;
    if (changed.has('feed') && changed.get('feed')?.stream !== this.feed?.stream) this.playBlocked = false;
    const { feed } = this;
    const screenshare = feed?.purpose === 'm.screenshare';
    this.customStates.set('local', !!feed?.isLocal);
    this.customStates.set('screenshare', screenshare);
    this.customStates.set('mirrored', !!feed?.isLocal && !screenshare);
    this.customStates.set('video-off', !this.showsVideo);
    this.customStates.set('audio-muted', !!feed?.audioMuted);
    this.customStates.set('play-blocked', this.playBlocked);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const video = this.video;
    if (!video) return;
    const stream = this.feed?.stream ?? null;
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      if (stream) this.play(video);
    }
    if (changed.has('sinkId') || changed.has('feed')) this.applySink(video, stream);
  }

  private applySink(video: HTMLVideoElement, stream: MediaStream | null): void {
    // Chrome refuses a speaker for a stream without sound (a screen share), and there is nothing to route.
    if (stream && stream.getAudioTracks().length === 0) return;
    const requested: unknown = this.sinkId;
    if (requested !== undefined && requested !== null && typeof requested !== 'string') {
      console.warn('matrix-call-kit: <mx-video-tile> sink-id must be a device id string; playing on the default speaker.', requested);
    }
    const wanted = typeof requested === 'string' ? requested : '';
    if (typeof video.setSinkId !== 'function' || video.sinkId === wanted) return;
    video.setSinkId(wanted).catch((error: unknown) => {
      console.warn(`matrix-call-kit: <mx-video-tile> cannot play on speaker ${JSON.stringify(wanted)}; it stays on ${JSON.stringify(video.sinkId || 'the default')}.`, error);
    });
  }

  private get showsVideo(): boolean {
    const { feed } = this;
    return !!feed && !feed.videoMuted && hasLiveVideo(feed.stream);
  }

  private get displayName(): string {
    return visibleName(this.name, this.feed?.userId ?? '');
  }

  private play(video: HTMLVideoElement): void {
    video.play().then(
      () => {
        this.playBlocked = false;
      },
      (error: unknown) => {
        // An AbortError only means a newer stream replaced this one before it started.
        if (error instanceof DOMException && error.name === 'NotAllowedError') this.playBlocked = true;
      },
    );
  }

  private handlePlayClick(): void {
    if (this.video) this.play(this.video);
  }

  private handleAvatarError(): void {
    this.avatarFailed = true;
  }

  private renderPlaceholder() {
    const { feed } = this;
    if (feed?.purpose === 'm.screenshare') {
      return html`<span part="placeholder" class="placeholder"><span class="placeholder-icon">${screenShareIcon}</span></span>`;
    }
    // Your own tile is small and already labelled "you"; a camera-off icon says more than your own initials.
    if (feed?.isLocal) {
      return html`<span part="placeholder" class="placeholder"><span class="placeholder-icon">${cameraOffIcon}</span></span>`;
    }
    const name = this.displayName;
    return html`<span part="placeholder" class="placeholder"
      >${renderAvatar({
        name,
        fallbackName: this.feed?.userId,
        key: name,
        src: this.avatarFailed ? undefined : this.avatarUrl,
        onError: () => this.handleAvatarError(),
      })}</span
    >`;
  }

  protected override render() {
    const { feed } = this;
    const name = this.displayName;
    const showsVideo = this.showsVideo;
    return html`
      <div part="base" class="base" role="group" aria-label=${name || nothing}>
        <video
          part="video"
          class="video"
          aria-hidden="true"
          ?hidden=${!showsVideo}
          autoplay
          playsinline
          disablepictureinpicture
          .muted=${!!feed?.isLocal}
        ></video>
        ${showsVideo ? nothing : this.renderPlaceholder()}
        ${this.playBlocked
          ? html`<button part="play-button" class="play-button" type="button" @click=${this.handlePlayClick}>
              ${playIcon}Play audio and video
            </button>`
          : nothing}
        <div class="label">${this.renderIndicator()}${name && !this.hideName ? html`<span part="name" class="name">${name}</span>` : nothing}</div>
      </div>
    `;
  }

  private renderIndicator() {
    // A screen share has no microphone of its own, so "muted" would only confuse.
    if (!this.feed?.audioMuted || this.feed.purpose === 'm.screenshare') return nothing;
    return html`<span part="indicator" class="indicator" role="img" aria-label="Microphone muted">${micOffIcon}</span>`;
  }
}
