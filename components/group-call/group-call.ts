import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { ref } from 'lit/directives/ref.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { CallFeed } from '../../signaling/media/feed.js';
import {
  CALL_REACTIONS,
  type CallReactionChoice,
  type ConnectionQuality,
  type GroupCallHandle,
  type GroupCallPhase,
  type GroupCallSnapshot,
  type GroupParticipant,
  type GroupReaction,
} from '../../signaling/rtc/group-call.types.js';
import { MxCameraToggleRequestEvent, MxMicToggleRequestEvent, MxScreenshareToggleRequestEvent } from '../call-controls/call-controls.events.js';
import { avatarStyles, renderAvatar } from '../internal/avatar.js';
import { qualityText } from '../internal/call-strings.js';
import { MxErrorEvent } from '../internal/error-event.js';
import { hostStyles } from '../internal/host-styles.js';
import { cameraIcon, cameraOffIcon, closeIcon, hangupIcon, micIcon, micOffIcon, playIcon, screenShareIcon } from '../internal/icons.js';
import { IntentController } from '../internal/intent-controller.js';
import { MxElement } from '../internal/mx-element.js';
import { handText, raisedHandOrder } from '../internal/raised-hands.js';
import { StoreController } from '../internal/store-controller.js';
import { gridIcon, handIcon, lockIcon, nextIcon, previousIcon, reactionIcon, spotlightIcon } from './group-call-icons.js';
import { GROUP_CALL_LAYOUTS, gridShape, pageCapacity, paginate, type GroupCallLayout, type StageSize } from './group-call-layout.js';
import { groupCallAnnouncement, participantName, qualityBars, reactionLabel } from './group-call-strings.js';
import { MxCallLeftEvent, MxHandRaiseRequestEvent, MxLayoutChangeRequestEvent, MxLeaveRequestEvent, MxReactionRequestEvent } from './group-call.events.js';
import styles from './group-call.styles.js';
import { StageSizeController } from './stage-size.js';

/** What the grid assumes before the stage has been measured once. */
const UNMEASURED_STAGE: StageSize = { width: 960, height: 540 };

/** The pager's height in CSS pixels (its .pager rule), taken from the stage area while the grid has pages. */
const PAGER_BLOCK_SIZE = 36;

/** One tile: a person's camera (or avatar), or a shared screen. */
interface Tile {
  readonly key: string;
  readonly kind: 'camera' | 'screen';
  readonly local: boolean;
  readonly name: string;
  /** Whose initials and colour the placeholder shows. */
  readonly userId: string;
  readonly avatarName: string;
  /** The stream to draw; `undefined` while there is no picture (camera off, no track, still connecting). */
  readonly video: MediaStream | undefined;
  /** The live video track `video` draws: a new one (after a reconnection) gets a new `<video>`. */
  readonly videoTrackId: string | undefined;
  readonly connecting: boolean;
  readonly microphoneMuted: boolean;
  readonly speaking: boolean;
  /** Remote tiles only. */
  readonly quality: ConnectionQuality | undefined;
  readonly encrypted: boolean;
  /** Camera tiles of a raised hand: its place in the order hands went up, from 1. */
  readonly handOrder: number | undefined;
  /** Camera tiles: the reaction this person sent last, while the call shows it. */
  readonly reaction: GroupReaction | undefined;
}

interface View {
  readonly layout: GroupCallLayout;
  /** Grid: the tiles of the page shown. Spotlight: the strip below the large tile. */
  readonly tiles: readonly Tile[];
  readonly spotlight: Tile | undefined;
  readonly page: number;
  readonly pages: number;
  readonly columns: number;
  readonly rows: number;
  /** Remote feeds whose sound plays, whatever page or layout shows their picture. */
  readonly audio: readonly CallFeed[];
}

const EMPTY_VIEW: View = { layout: 'grid', tiles: [], spotlight: undefined, page: 0, pages: 1, columns: 1, rows: 1, audio: [] };

const STATES = [
  'empty',
  'joining',
  'connected',
  'reconnecting',
  'leaving',
  'left',
  'failed',
  'grid',
  'spotlight',
  'presentation',
  'paginated',
  'mic-muted',
  'camera-muted',
  'hand-raised',
] as const;

const IN_CALL: ReadonlySet<GroupCallPhase> = new Set(['connected', 'reconnecting', 'leaving']);
const OVER: ReadonlySet<GroupCallPhase> = new Set(['leaving', 'left', 'failed']);
/** Hands and reactions need our membership, which exists only once joined and until we leave. */
const MEMBER: ReadonlySet<GroupCallPhase> = new Set(['connected', 'reconnecting']);

function feedOf(feeds: readonly CallFeed[], purpose: CallFeed['purpose']): CallFeed | undefined {
  return feeds.find((feed) => feed.purpose === purpose);
}

/** The stream of `feed` and its live video track, when it has a picture to draw. */
function pictureOf(feed: CallFeed | undefined): Pick<Tile, 'video' | 'videoTrackId'> {
  const track = feed && !feed.videoMuted ? feed.stream.getVideoTracks().find((candidate) => candidate.readyState === 'live') : undefined;
  return track && feed ? { video: feed.stream, videoTrackId: track.id } : { video: undefined, videoTrackId: undefined };
}

function remoteTile(p: GroupParticipant, speaking: boolean): Tile {
  const connecting = p.status === 'connecting';
  return {
    key: p.identity,
    kind: 'camera',
    local: false,
    name: participantName(p),
    userId: p.userId,
    avatarName: participantName(p),
    // A member whose media has not arrived has no picture yet: no frame is better than a frozen one.
    ...pictureOf(connecting || p.cameraMuted ? undefined : feedOf(p.feeds, 'm.usermedia')),
    connecting,
    microphoneMuted: p.microphoneMuted,
    speaking,
    quality: p.connectionQuality,
    encrypted: p.encrypted,
    handOrder: undefined,
    reaction: undefined,
  };
}

function screenTile(key: string, name: string, userId: string, feed: CallFeed, local: boolean, encrypted: boolean): Tile {
  return {
    key: `${key}\nscreen`,
    kind: 'screen',
    local,
    name,
    userId,
    avatarName: name,
    ...pictureOf(feed),
    connecting: false,
    microphoneMuted: false,
    speaking: false,
    quality: undefined,
    encrypted,
    handOrder: undefined,
    reaction: undefined,
  };
}

/** The shared screens, in the order the call lists them (remote ones first: your own screen is in front of you). */
function screenTiles(s: GroupCallSnapshot): Tile[] {
  const order = (identity: string) => {
    const index = s.screenShares.indexOf(identity);
    return index === -1 ? s.screenShares.length : index;
  };
  const tiles: Tile[] = [];
  const sharing = s.participants.filter((p) => p.status === 'connected' && feedOf(p.feeds, 'm.screenshare'));
  for (const p of [...sharing].sort((a, b) => order(a.identity) - order(b.identity))) {
    const feed = feedOf(p.feeds, 'm.screenshare');
    if (feed) tiles.push(screenTile(p.identity, `${participantName(p)} (screen)`, p.userId, feed, false, p.encrypted));
  }
  const own = feedOf(s.local.feeds, 'm.screenshare');
  if (own) tiles.push(screenTile(s.local.identity, 'Your screen', s.local.userId, own, true, false));
  return tiles;
}

function selfTile(s: GroupCallSnapshot): Tile {
  return {
    key: s.local.identity,
    kind: 'camera',
    local: true,
    name: 'You',
    userId: s.local.userId,
    avatarName: s.local.userId,
    ...pictureOf(s.local.cameraMuted ? undefined : feedOf(s.local.feeds, 'm.usermedia')),
    connecting: false,
    microphoneMuted: s.local.microphoneMuted,
    speaking: s.local.speaking,
    quality: undefined,
    encrypted: false,
    handOrder: undefined,
    reaction: undefined,
  };
}

/** What adds the raised hands (numbered in the order they went up) and the latest reactions to camera tiles. */
function handsAndReactions(s: GroupCallSnapshot): (tile: Tile) => Tile {
  const order = raisedHandOrder([s.local, ...s.participants]);
  const latest = new Map(s.reactions.map((reaction) => [reaction.identity, reaction]));
  return (tile) => {
    const handOrder = order.get(tile.key);
    const reaction = latest.get(tile.key);
    return handOrder === undefined && reaction === undefined ? tile : { ...tile, handOrder, reaction };
  };
}

/** Phones and some browsers cannot capture a screen: no button that can only fail. */
function canShareScreens(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** The loudest remote member speaking now, if any. */
function currentSpeaker(s: GroupCallSnapshot): string | undefined {
  const connected = new Set(s.participants.filter((p) => p.status === 'connected').map((p) => p.identity));
  return s.activeSpeakers.find((identity) => connected.has(identity));
}

/**
 * Renders the `GroupCallHandle` that `kit.joinGroupCall(roomId)` returns, in whatever phase it is. The grid picks
 * its columns from its own size and the number of tiles, and pages past the tiles that fit, with the active speaker
 * and your self-view always on the first page. The spotlight shows a shared screen, else whoever speaks (the last
 * speaker stays until another one talks), large, with the others in a strip. A screen share that starts switches
 * to the spotlight, and back to the grid when the last one ends, unless you chose a layout since.
 *
 * Every remote member's sound, and the sound of a shared screen, plays from an `<audio>` element of its own, so it
 * is heard whichever page or layout shows the picture; your own is never played back. Joins, leaves, losing and
 * regaining the connection, failures, and the others' raised hands and reactions are announced in one polite live
 * region.
 *
 * Raised hands and reactions are Element Call's, so they show both ways between the two: a raised hand shows on
 * its tile with its place in the order hands went up, and a reaction (from Element Call's catalogue,
 * `CALL_REACTIONS`) shows over its sender's tile for three seconds.
 *
 * Avatars show initials: a `GroupCallHandle` does not load avatar images.
 *
 * @summary A whole group call: every member's tile in a grid or a spotlight, your self-view, shared screens, and the controls.
 * @tag mx-group-call
 * @status experimental
 * @since 0.2.0
 *
 * @fires {MxMicToggleRequestEvent} mx-mic-toggle-request - The microphone button was pressed; `detail.muted` is the state asked for. Cancelable.
 * @fires {MxCameraToggleRequestEvent} mx-camera-toggle-request - The camera button was pressed; `detail.muted` is the state asked for. Cancelable.
 * @fires {MxScreenshareToggleRequestEvent} mx-screenshare-toggle-request - The share-screen button was pressed; `detail.enabled` is the state asked for. Cancelable (the browser's picker opens only if not).
 * @fires {MxLeaveRequestEvent} mx-leave-request - The leave button was pressed. Cancelable.
 * @fires {MxCallLeftEvent} mx-call-left - The call was left while shown.
 * @fires {MxLayoutChangeRequestEvent} mx-layout-change-request - The layout button was pressed, or a screen share started or ended; `detail.layout` is the layout asked for. Cancelable.
 * @fires {MxHandRaiseRequestEvent} mx-hand-raise-request - The raise-hand button was pressed; `detail.raised` is the state asked for. Cancelable.
 * @fires {MxReactionRequestEvent} mx-reaction-request - A reaction was chosen from the reactions menu; `detail` is its `emoji` and `name`. Cancelable.
 * @fires {MxErrorEvent} mx-error - The call failed (`detail.error`), or refused a request; shown as a message too.
 *
 * @csspart base - The whole call surface.
 * @csspart banner - The "Reconnecting…" banner above the tiles.
 * @csspart stage - The area holding the tiles.
 * @csspart tile - Every tile; also `local-tile`, `screenshare-tile`, `spotlight-tile`, `speaking-tile` and `connecting-tile` where they apply.
 * @csspart video - The `<video>` of a tile (always muted: sound plays from the audio elements).
 * @csspart placeholder - What a tile shows with no picture: the avatar, or an icon for your camera or a screen.
 * @csspart avatar - The initials inside the placeholder.
 * @csspart connecting - The "Connecting…" text of a member whose media has not arrived.
 * @csspart label - The name line of a tile.
 * @csspart name - The name in the label.
 * @csspart mic-muted - The muted-microphone icon.
 * @csspart hand - The raised-hand badge of a tile, with its number in the order hands went up.
 * @csspart reaction - The emoji of a reaction shown over its sender's tile.
 * @csspart encrypted - The lock shown when a member's media is end-to-end encrypted.
 * @csspart quality - The connection-quality bars.
 * @csspart strip - The row of tiles below the spotlight.
 * @csspart pager - The previous / next page group.
 * @csspart page-status - The "Page 2 of 3" text.
 * @csspart controls - The group of call buttons.
 * @csspart button - Every button.
 * @csspart mic-button - The microphone toggle.
 * @csspart camera-button - The camera toggle.
 * @csspart screenshare-button - The share-screen toggle (absent where the browser cannot capture a screen).
 * @csspart hand-button - The raise-hand toggle.
 * @csspart reactions-button - The button that opens the reactions menu.
 * @csspart reactions-menu - The menu of reactions.
 * @csspart reaction-item - Each reaction in the menu.
 * @csspart layout-button - The spotlight layout toggle.
 * @csspart leave-button - The leave button.
 * @csspart previous-button - The previous page button.
 * @csspart next-button - The next page button.
 * @csspart play-button - Shown when the browser blocked the call's sound until a click.
 * @csspart message - The joining, left and failed states, shown in place of the tiles.
 * @csspart error - The reason the call failed, or the message of a refused request.
 * @csspart empty - The text shown with no call.
 *
 * @cssprop [--mx-group-call-background=#0f1217] - Background of the call surface.
 * @cssprop [--mx-group-call-color=#f5f7fa] - Text colour.
 * @cssprop [--mx-group-call-radius=1rem] - Corner radius of the surface.
 * @cssprop [--mx-group-call-gap=0.5rem] - Space between and around the tiles.
 * @cssprop [--mx-group-call-min-block-size=24rem] - Minimum height; give the element a height to fill it instead.
 * @cssprop [--mx-group-call-tile-background=#1f232b] - Background of a tile with no picture.
 * @cssprop [--mx-group-call-tile-radius=0.625rem] - Corner radius of a tile.
 * @cssprop [--mx-group-call-speaking-color=#3ccf91] - The outline around whoever is speaking.
 * @cssprop [--mx-group-call-strip-size=clamp(4.5rem, 22cqb, 8rem)] - Height of the strip below the spotlight.
 * @cssprop [--mx-group-call-label-background=rgb(0 0 0 / 0.6)] - Background of a tile's name line.
 * @cssprop [--mx-group-call-muted-color=#e5484d] - Background of the muted-microphone icon.
 * @cssprop [--mx-group-call-hand-background=#f5a524] - Background of the raised-hand badge.
 * @cssprop [--mx-group-call-menu-background=#2b303b] - Background of the reactions menu.
 * @cssprop [--mx-group-call-banner-background=#5c3d00] - Background of the reconnecting banner.
 * @cssprop [--mx-group-call-button-size=3rem] - Diameter of a call button.
 * @cssprop [--mx-group-call-button-background=rgb(255 255 255 / 0.14)] - Background of a call button.
 * @cssprop [--mx-group-call-pressed-background=#f5f7fa] - Background of a pressed toggle.
 * @cssprop [--mx-group-call-pressed-color=#16191f] - Icon colour of a pressed toggle.
 * @cssprop [--mx-group-call-leave-background=#d92d20] - Background of the leave button.
 * @cssprop [--mx-group-call-focus-ring-color=#8ab4f8] - Keyboard focus outline.
 * @cssprop [--mx-group-call-error-background=#3a1414] - Background of an error message.
 * @cssprop [--mx-group-call-error-color=#fecdca] - Text colour of an error message.
 *
 * @cssstate empty - No call is set.
 * @cssstate joining - Joining: membership and media connection under way.
 * @cssstate connected - In the call.
 * @cssstate reconnecting - The connection is being restored; the tiles stay.
 * @cssstate leaving - Leaving the call.
 * @cssstate left - You left the call.
 * @cssstate failed - The call could not be joined or kept; the error is shown.
 * @cssstate grid - The grid layout is shown.
 * @cssstate spotlight - The spotlight layout is shown.
 * @cssstate presentation - A shared screen is in the spotlight.
 * @cssstate paginated - The grid has more than one page.
 * @cssstate mic-muted - Your microphone is muted.
 * @cssstate camera-muted - Your camera is off.
 * @cssstate hand-raised - Your hand is raised.
 */
export class MxGroupCall extends MxElement {
  static override shadowRootOptions = { ...MxElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [hostStyles, avatarStyles, styles];

  private readonly store = new StoreController<GroupCallSnapshot>(this, () => this.call);
  private readonly stage = new StageSizeController(this);
  private readonly intents = new IntentController(this);

  /** The group call to show, from `kit.joinGroupCall(roomId)`. */
  @property({ attribute: false }) call: GroupCallHandle | undefined;

  /** `grid` shows every tile alike; `spotlight` shows a shared screen or the speaker large. */
  @property({ reflect: true }) layout: GroupCallLayout = 'grid';

  /**
   * The speaker the call's sound plays on (an `audiooutput` device id, such as `selected.speaker` of
   * `kit.devices`); unset is the browser's default.
   */
  @property({ attribute: 'sink-id' }) sinkId: string | undefined;

  /** The grid page shown, from 0; kept within the pages there are. */
  @state() private page = 0;
  @state() private announcement = '';
  @state() private playBlocked = false;
  @state() private reactionsOpen = false;

  private announcements = 0;
  private view: View = EMPTY_VIEW;
  private seen: { call: GroupCallHandle | undefined; snapshot: GroupCallSnapshot | undefined } = { call: undefined, snapshot: undefined };
  private lastSpeaker: string | undefined;
  /** The spotlight was chosen for a screen share, not by the person, so it may go back to the grid. */
  private spotlightForScreenshare = false;
  private readonly played = new WeakMap<HTMLMediaElement, MediaStream>();
  private readonly sinks = new WeakMap<HTMLMediaElement, string>();

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const s = this.store.snapshot;
    const before = this.seen.call === this.call ? this.seen.snapshot : undefined;
    if (this.seen.call !== this.call) {
      this.lastSpeaker = undefined;
      this.spotlightForScreenshare = false;
      this.page = 0;
    }
    if (s && before && s !== before) {
      const announcement = groupCallAnnouncement(before, s);
      if (announcement) this.announce(announcement);
      this.followScreenshares(before, s);
    }
    if (s) this.lastSpeaker = this.speakerOf(s);
    this.view = s ? this.viewOf(s) : EMPTY_VIEW;
    this.page = this.view.page;
    const phase = s?.phase;
    const active = new Set<string>();
    if (!s) active.add('empty');
    if (phase) active.add(phase);
    if (s && IN_CALL.has(s.phase)) {
      active.add(this.view.layout);
      if (this.view.spotlight?.kind === 'screen') active.add('presentation');
      if (this.view.layout === 'grid' && this.view.pages > 1) active.add('paginated');
    }
    if (s?.local.microphoneMuted) active.add('mic-muted');
    if (s?.local.cameraMuted) active.add('camera-muted');
    if (s?.local.handRaisedAt !== undefined) active.add('hand-raised');
    for (const name of STATES) this.customStates.set(name, active.has(name));
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const s = this.store.snapshot;
    const before = this.seen;
    this.seen = { call: this.call, snapshot: s };
    this.startAudio();
    // Only changes seen while shown are events; setting `call` to one already left or failed is not.
    if (before.call !== this.call || !s || !before.snapshot) return;
    if (s.phase === 'left' && before.snapshot.phase !== 'left') this.dispatchEvent(new MxCallLeftEvent());
    if (s.error && s.error !== before.snapshot.error) this.dispatchEvent(new MxErrorEvent({ error: s.error }));
  }

  private announce(text: string): void {
    this.announcements += 1;
    this.announcement = text;
  }

  /** The speaker the spotlight and the first page keep: who speaks now, else who spoke last while still here. */
  private speakerOf(s: GroupCallSnapshot): string | undefined {
    const now = currentSpeaker(s);
    if (now) return now;
    return s.participants.some((p) => p.identity === this.lastSpeaker) ? this.lastSpeaker : undefined;
  }

  /** A share that starts brings the spotlight; the end of the last one brings back the grid it replaced. */
  private followScreenshares(before: GroupCallSnapshot, s: GroupCallSnapshot): void {
    const started = s.screenShares.some((identity) => identity !== s.local.identity && !before.screenShares.includes(identity));
    const remoteShares = s.screenShares.filter((identity) => identity !== s.local.identity);
    if (started && this.layout !== 'spotlight') {
      if (this.changeLayout('spotlight', 'screenshare')) this.spotlightForScreenshare = true;
    } else if (remoteShares.length === 0 && this.spotlightForScreenshare && this.layout === 'spotlight') {
      if (this.changeLayout('grid', 'screenshare')) this.spotlightForScreenshare = false;
    }
  }

  private changeLayout(layout: GroupCallLayout, reason: 'user' | 'screenshare'): boolean {
    if (!this.dispatchEvent(new MxLayoutChangeRequestEvent({ layout, reason }))) return false;
    this.layout = layout;
    return true;
  }

  private viewOf(s: GroupCallSnapshot): View {
    const layout: GroupCallLayout = GROUP_CALL_LAYOUTS.includes(this.layout) ? this.layout : 'grid';
    const speaker = this.lastSpeaker;
    const speaking = new Set(s.activeSpeakers);
    const screens = screenTiles(s);
    const decorate = handsAndReactions(s);
    const cameras = s.participants.map((p) => decorate(remoteTile(p, p.speaking || speaking.has(p.identity))));
    const self = decorate(selfTile(s));
    const tiles = [...screens, ...cameras, self];
    const audio = s.participants.flatMap((p) => p.feeds.filter((feed) => !feed.isLocal));
    if (layout === 'spotlight') {
      const spotlight =
        screens.find((tile) => !tile.local) ??
        screens[0] ??
        cameras.find((tile) => tile.key === speaker) ??
        cameras.find((tile) => !tile.connecting) ??
        cameras[0] ??
        self;
      return { ...EMPTY_VIEW, layout, spotlight, tiles: tiles.filter((tile) => tile !== spotlight), audio };
    }
    const gap = this.stage.gap;
    const area = this.stage.size ?? UNMEASURED_STAGE;
    // The pager takes its row out of the area only when there are pages, and the area (not the grid) is what is
    // measured: the grid's size then never depends on what it shows, so resizing cannot chase itself.
    const paged = tiles.length > pageCapacity(area, gap);
    const size = paged ? { width: area.width, height: Math.max(0, area.height - PAGER_BLOCK_SIZE - gap) } : area;
    const pinned = [...screens.map((tile) => tile.key), ...(speaker ? [speaker] : []), self.key];
    const pages = paginate(tiles, pageCapacity(size, gap), (tile) => tile.key, pinned);
    const page = Math.min(Math.max(0, this.page), pages.length - 1);
    const shown = pages[page] ?? [];
    const { columns, rows } = gridShape(shown.length, size, gap);
    return { layout, tiles: shown, spotlight: undefined, page, pages: pages.length, columns, rows, audio };
  }

  /** Starts the call's sound, and routes it to the chosen speaker; a blocked start offers a button. */
  private startAudio(): void {
    const wantedSink = typeof this.sinkId === 'string' ? this.sinkId : '';
    for (const audio of this.renderRoot.querySelectorAll('audio')) {
      const stream = audio.srcObject;
      if (stream instanceof MediaStream && this.played.get(audio) !== stream) {
        this.played.set(audio, stream);
        this.play(audio);
      }
      // Chrome refuses a speaker for a stream with no sound yet, and the default needs no asking.
      const routable = stream instanceof MediaStream && stream.getAudioTracks().length > 0 && (wantedSink !== '' || audio.sinkId !== '');
      if (routable && typeof audio.setSinkId === 'function' && this.sinks.get(audio) !== wantedSink) {
        this.sinks.set(audio, wantedSink);
        audio.setSinkId(wantedSink).catch((error: unknown) => {
          console.warn(`matrix-call-kit: <mx-group-call> cannot play on speaker ${JSON.stringify(wantedSink)}; the call stays on ${JSON.stringify(audio.sinkId || 'the default')}.`, error);
        });
      }
    }
  }

  private play(audio: HTMLAudioElement): void {
    audio.play().then(
      () => {
        this.playBlocked = false;
      },
      (error: unknown) => {
        // An AbortError only means the element was emptied or removed before it started.
        if (error instanceof DOMException && error.name === 'NotAllowedError') this.playBlocked = true;
      },
    );
  }

  private handlePlayClick(): void {
    for (const audio of this.renderRoot.querySelectorAll('audio')) this.play(audio);
  }

  private toggleMicrophone(): void {
    const call = this.call;
    const s = this.store.snapshot;
    if (!call || !s) return;
    const muted = !s.local.microphoneMuted;
    void this.intents.run(
      new MxMicToggleRequestEvent({ muted }),
      () => call.setMicrophoneMuted(muted),
      muted ? 'Could not mute the microphone' : 'Could not unmute the microphone',
    );
  }

  private toggleCamera(): void {
    const call = this.call;
    const s = this.store.snapshot;
    if (!call || !s) return;
    const muted = !s.local.cameraMuted;
    void this.intents.run(
      new MxCameraToggleRequestEvent({ muted }),
      () => call.setCameraMuted(muted),
      muted ? 'Could not turn off the camera' : 'Could not turn on the camera',
    );
  }

  private toggleScreenshare(): void {
    const call = this.call;
    const s = this.store.snapshot;
    if (!call || !s) return;
    const enabled = !s.local.screenSharing;
    void this.intents.run(
      new MxScreenshareToggleRequestEvent({ enabled }),
      () => call.setScreenSharing(enabled),
      enabled ? 'Could not share your screen' : 'Could not stop sharing your screen',
    );
  }

  private toggleLayout(): void {
    if (this.changeLayout(this.view.layout === 'spotlight' ? 'grid' : 'spotlight', 'user')) this.spotlightForScreenshare = false;
  }

  private leave(): void {
    const call = this.call;
    if (!call) return;
    void this.intents.run(new MxLeaveRequestEvent(), () => call.leave(), 'Could not leave the call');
  }

  private toggleHand(): void {
    const call = this.call;
    const s = this.store.snapshot;
    if (!call || !s) return;
    const raised = s.local.handRaisedAt === undefined;
    void this.intents.run(
      new MxHandRaiseRequestEvent({ raised }),
      () => call.setHandRaised(raised),
      raised ? 'Could not raise your hand' : 'Could not lower your hand',
    );
  }

  private async toggleReactions(): Promise<void> {
    this.reactionsOpen = !this.reactionsOpen;
    if (!this.reactionsOpen) return;
    await this.updateComplete;
    this.reactionItems()[0]?.focus();
  }

  private reactionItems(): HTMLButtonElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLButtonElement>('[part~="reaction-item"]')];
  }

  private closeReactions(returnFocus: boolean): void {
    this.reactionsOpen = false;
    if (returnFocus) this.renderRoot.querySelector<HTMLButtonElement>('[part~="reactions-button"]')?.focus();
  }

  private sendReaction(reaction: CallReactionChoice): void {
    const call = this.call;
    this.closeReactions(true);
    if (!call) return;
    void this.intents.run(new MxReactionRequestEvent(reaction), () => call.sendReaction(reaction), 'Could not send the reaction');
  }

  /** Arrow keys, Home and End move along the menu's items; Escape closes it and returns to its button. */
  private handleReactionsKeydown(event: KeyboardEvent): void {
    const items = this.reactionItems();
    const current = items.findIndex((item) => item === this.shadowRoot?.activeElement);
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    let next: number | undefined;
    if (step !== undefined) next = (current + step + items.length) % items.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.closeReactions(true);
      return;
    }
    if (next === undefined) return;
    event.preventDefault();
    items[next]?.focus();
  }

  /** Focus leaving the menu and its button (Tab, a click elsewhere) closes the menu. */
  private handleReactionsFocusout(event: FocusEvent): void {
    const to = event.relatedTarget;
    if (to instanceof Node && (event.currentTarget as HTMLElement).contains(to)) return;
    this.reactionsOpen = false;
  }

  private async turnPage(step: -1 | 1, event: Event): Promise<void> {
    const pressed = event.currentTarget;
    this.page = this.view.page + step;
    await this.updateComplete;
    // The tiles changed under the button, not around it: say where the person is now.
    this.announce(`Page ${this.view.page + 1} of ${this.view.pages}`);
    // The button pressed may now be disabled (first or last page); keep focus in the pager.
    if (pressed instanceof HTMLButtonElement && pressed.disabled) {
      this.renderRoot.querySelector<HTMLButtonElement>(step === 1 ? '[part~="previous-button"]' : '[part~="next-button"]')?.focus();
    }
  }

  private renderQuality(quality: ConnectionQuality | undefined) {
    if (!quality) return nothing;
    const lit = qualityBars(quality);
    return html`<span part="quality" class="quality ${quality}" role="img" aria-label=${qualityText(quality)}
      >${[1, 2, 3].map((bar) => html`<span class="bar ${bar <= lit ? 'lit' : ''}"></span>`)}</span
    >`;
  }

  private renderPlaceholder(tile: Tile) {
    if (tile.kind === 'screen') {
      return html`<span part="placeholder" class="placeholder"><span class="placeholder-icon">${screenShareIcon}</span></span>`;
    }
    if (tile.local) {
      return html`<span part="placeholder" class="placeholder"><span class="placeholder-icon">${cameraOffIcon}</span></span>`;
    }
    return html`<span part="placeholder" class="placeholder">
      ${renderAvatar({ name: tile.avatarName, fallbackName: tile.userId, key: tile.userId, src: undefined, onError: () => undefined })}
      ${tile.connecting ? html`<span part="connecting" class="connecting">Connecting…</span>` : nothing}
    </span>`;
  }

  private renderTile(tile: Tile, spotlight: boolean) {
    const parts = [
      'tile',
      tile.local && tile.kind === 'camera' ? 'local-tile' : '',
      tile.kind === 'screen' ? 'screenshare-tile' : '',
      spotlight ? 'spotlight-tile' : '',
      tile.speaking ? 'speaking-tile' : '',
      tile.connecting ? 'connecting-tile' : '',
    ].filter(Boolean);
    const classes = ['tile', tile.kind, tile.local ? 'local' : '', tile.speaking ? 'speaking' : ''].filter(Boolean);
    return html`
      <div part=${parts.join(' ')} class=${classes.join(' ')} role="group" aria-label=${tile.name}>
        ${keyed(
          tile.videoTrackId,
          // A member's stream keeps its identity while LiveKit replaces its tracks (after a reconnection), and
          // Chromium can leave a <video> frozen on a track swapped under it: a new track gets a new element.
          html`<video
            part="video"
            class="video"
            aria-hidden="true"
            ?hidden=${!tile.video}
            autoplay
            playsinline
            disablepictureinpicture
            muted
            .muted=${true}
            .srcObject=${tile.video ?? null}
          ></video>`,
        )}
        ${tile.video ? nothing : this.renderPlaceholder(tile)}
        ${tile.handOrder === undefined
          ? nothing
          : html`<span part="hand" class="hand" role="img" aria-label=${handText(tile.handOrder)}>✋<span class="hand-order" aria-hidden="true">${tile.handOrder}</span></span>`}
        ${tile.reaction
          ? keyed(tile.reaction.eventId, html`<span part="reaction" class="reaction" role="img" aria-label=${reactionLabel(tile.reaction)}>${tile.reaction.emoji}</span>`)
          : nothing}
        <span part="label" class="label">
          ${tile.microphoneMuted
            ? html`<span part="mic-muted" class="badge muted" role="img" aria-label="Microphone muted">${micOffIcon}</span>`
            : nothing}
          <span part="name" class="name">${tile.name}</span>
          ${tile.encrypted ? html`<span part="encrypted" class="badge lock" role="img" aria-label="End-to-end encrypted">${lockIcon}</span>` : nothing}
          ${this.renderQuality(tile.quality)}
        </span>
      </div>
    `;
  }

  private renderStage() {
    const view = this.view;
    const key = (tile: Tile) => tile.key;
    if (view.layout === 'spotlight') {
      return html`
        <div part="stage" class="stage spotlight">
          ${view.spotlight ? this.renderTile(view.spotlight, true) : nothing}
          ${view.tiles.length > 0
            ? html`<div part="strip" class="strip" role="region" aria-label="Other participants" tabindex="0">
                ${repeat(view.tiles, key, (tile) => this.renderTile(tile, false))}
              </div>`
            : nothing}
        </div>
      `;
    }
    const grid = { '--_columns': String(view.columns), '--_rows': String(view.rows) };
    return html`
      <div part="stage" class="stage grid" style=${styleMap(grid)}>
        ${repeat(view.tiles, key, (tile) => this.renderTile(tile, false))}
      </div>
      ${view.pages > 1
        ? html`<div part="pager" class="pager" role="group" aria-label="Pages of participants">
            <button part="button previous-button" class="button small" type="button" aria-label="Previous page" ?disabled=${view.page === 0} @click=${(e: Event) => void this.turnPage(-1, e)}>
              ${previousIcon}
            </button>
            <span part="page-status" class="page-status">Page ${view.page + 1} of ${view.pages}</span>
            <button part="button next-button" class="button small" type="button" aria-label="Next page" ?disabled=${view.page >= view.pages - 1} @click=${(e: Event) => void this.turnPage(1, e)}>
              ${nextIcon}
            </button>
          </div>`
        : nothing}
    `;
  }

  private renderControls(s: GroupCallSnapshot) {
    const over = OVER.has(s.phase);
    const micMuted = s.local.microphoneMuted;
    const cameraMuted = s.local.cameraMuted;
    const spotlight = this.view.layout === 'spotlight';
    const member = MEMBER.has(s.phase);
    const handRaised = s.local.handRaisedAt !== undefined;
    const reactionsOpen = this.reactionsOpen && member;
    const failure = this.intents.failure;
    return html`
      <div part="error" class="error" role="alert">${failure
        ? html`<span>${failure.message}</span>
            <button class="dismiss" type="button" aria-label="Dismiss" @click=${() => this.intents.dismiss()}>${closeIcon}</button>`
        : nothing}</div>
      <div part="controls" class="controls" role="group" aria-label="Call controls">
        <button part="button mic-button" class="button" type="button" aria-label=${micMuted ? 'Unmute microphone' : 'Mute microphone'} aria-pressed=${String(micMuted)} ?disabled=${over} @click=${this.toggleMicrophone}>
          ${micMuted ? micOffIcon : micIcon}
        </button>
        <button part="button camera-button" class="button" type="button" aria-label=${cameraMuted ? 'Turn on camera' : 'Turn off camera'} aria-pressed=${String(cameraMuted)} ?disabled=${over} @click=${this.toggleCamera}>
          ${cameraMuted ? cameraOffIcon : cameraIcon}
        </button>
        ${canShareScreens()
          ? html`<button part="button screenshare-button" class="button" type="button" aria-label="Share screen" aria-pressed=${String(s.local.screenSharing)} ?disabled=${s.phase !== 'connected' && !s.local.screenSharing} @click=${this.toggleScreenshare}>
              ${screenShareIcon}
            </button>`
          : nothing}
        <button part="button hand-button" class="button" type="button" aria-label="Raise hand" aria-pressed=${String(handRaised)} ?disabled=${!member} @click=${this.toggleHand}>
          ${handIcon}
        </button>
        <div class="reactions" @keydown=${this.handleReactionsKeydown} @focusout=${this.handleReactionsFocusout}>
          <button part="button reactions-button" class="button" type="button" aria-label="Reactions" aria-haspopup="menu" aria-expanded=${String(reactionsOpen)} aria-controls=${reactionsOpen ? 'reactions-menu' : nothing} ?disabled=${!member} @click=${() => void this.toggleReactions()}>
            ${reactionIcon}
          </button>
          ${reactionsOpen
            ? html`<div part="reactions-menu" id="reactions-menu" class="reactions-menu" role="menu" aria-label="Reactions">
                ${CALL_REACTIONS.map(
                  (reaction) => html`<button part="reaction-item" class="reaction-item" type="button" role="menuitem" tabindex="-1" aria-label=${reactionLabel(reaction)} title=${reactionLabel(reaction)} @click=${() => this.sendReaction(reaction)}>${reaction.emoji}</button>`,
                )}
              </div>`
            : nothing}
        </div>
        <button part="button layout-button" class="button" type="button" aria-label="Spotlight layout" aria-pressed=${String(spotlight)} ?disabled=${!IN_CALL.has(s.phase)} @click=${this.toggleLayout}>
          ${spotlight ? spotlightIcon : gridIcon}
        </button>
        <button part="button leave-button" class="button danger" type="button" aria-label="Leave call" ?disabled=${over} @click=${this.leave}>
          ${hangupIcon}
        </button>
      </div>
    `;
  }

  private renderBody(s: GroupCallSnapshot) {
    switch (s.phase) {
      case 'joining':
        return html`<div part="message" class="message">Joining…</div>${this.renderControls(s)}`;
      case 'left':
        return html`<div part="message" class="message">You left the call</div>`;
      case 'failed':
        return html`<div part="message" class="message failed">
          <p class="headline">The call failed</p>
          ${s.error?.message ? html`<p part="error" class="error-text">${s.error.message}</p>` : nothing}
        </div>`;
      case 'connected':
      case 'reconnecting':
      case 'leaving':
        return html`
          ${s.phase === 'reconnecting' ? html`<div part="banner" class="banner">Reconnecting…</div>` : nothing}
          ${s.phase === 'leaving' ? html`<div part="banner" class="banner">Leaving…</div>` : nothing}
          <div class="stage-area" ${ref(this.stage.observe)}>${this.renderStage()}</div>
          ${this.renderControls(s)}
        `;
    }
  }

  protected override render() {
    const s = this.store.snapshot;
    return html`
      <div part="base" class="base">
        ${s ? this.renderBody(s) : html`<p part="empty" class="empty">No call</p>`}
        ${this.playBlocked
          ? html`<button part="button play-button" class="play-button" type="button" @click=${this.handlePlayClick}>${playIcon}Play call audio</button>`
          : nothing}
        ${repeat(this.view.audio, (feed) => feed.id, (feed) => html`<audio .srcObject=${feed.stream} autoplay></audio>`)}
        <div class="visually-hidden" role="status" aria-live="polite">${keyed(this.announcements, html`<span>${this.announcement}</span>`)}</div>
      </div>
    `;
  }
}
