import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ConnectionQuality, GroupCallHandle, GroupCallSnapshot } from '../../signaling/rtc/group-call.types.js';
import { avatarStyles, renderAvatar } from '../internal/avatar.js';
import { qualityText, visibleName } from '../internal/call-strings.js';
import { hostStyles } from '../internal/host-styles.js';
import { micOffIcon } from '../internal/icons.js';
import { MxElement } from '../internal/mx-element.js';
import { handText, raisedHandOrder } from '../internal/raised-hands.js';
import { StoreController } from '../internal/store-controller.js';
import { IN_CALL, participantListAnnouncement, peopleHeading } from './participant-list-strings.js';
import styles from './participant-list.styles.js';

/** One row of the list. */
export interface ParticipantRow {
  readonly identity: string;
  readonly userId: string;
  readonly name: string;
  readonly local: boolean;
  readonly connecting: boolean;
  readonly microphoneMuted: boolean;
  readonly speaking: boolean;
  readonly handOrder: number | undefined;
  /** Remote members only: whether their media arrives end-to-end encrypted. */
  readonly encrypted: boolean | undefined;
  readonly quality: ConnectionQuality | undefined;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * The rows in the order the list shows them: you first, then raised hands in the order they went up (as Element
 * Call lists them), then everyone else by name.
 */
export function participantRows(s: GroupCallSnapshot): ParticipantRow[] {
  const hands = raisedHandOrder([s.local, ...s.participants]);
  const speaking = new Set(s.activeSpeakers);
  const others: ParticipantRow[] = s.participants.map((p) => ({
    identity: p.identity,
    userId: p.userId,
    name: visibleName(p.name, p.userId),
    local: false,
    connecting: p.status === 'connecting',
    microphoneMuted: p.microphoneMuted,
    speaking: p.speaking || speaking.has(p.identity),
    handOrder: hands.get(p.identity),
    encrypted: p.encrypted,
    quality: p.connectionQuality,
  }));
  others.sort((a, b) => {
    if (a.handOrder !== undefined || b.handOrder !== undefined) return (a.handOrder ?? Infinity) - (b.handOrder ?? Infinity);
    return collator.compare(a.name, b.name) || a.identity.localeCompare(b.identity);
  });
  const you: ParticipantRow = {
    identity: s.local.identity,
    userId: s.local.userId,
    name: 'You',
    local: true,
    connecting: false,
    microphoneMuted: s.local.microphoneMuted,
    speaking: s.local.speaking || speaking.has(s.local.identity),
    handOrder: hands.get(s.local.identity),
    encrypted: undefined,
    quality: undefined,
  };
  return [you, ...others];
}

/**
 * Lists the people in a group call: you first, then raised hands in the order they went up, then everyone else by
 * name. Each row shows the person's initials, name, whether they are still connecting, a muted microphone, whether
 * they are speaking, their raised hand, whether their media is end-to-end encrypted, and their connection quality
 * (in words for screen readers). It reads the same `GroupCallHandle` as `<mx-group-call>`, so it can sit beside it
 * in a sidebar.
 *
 * It lists only while the call is joined (connected or reconnecting); before and after, it shows "No one here
 * yet". Set `announce` to have joins and leaves read out in a polite live region; leave it off beside
 * `<mx-group-call>`, which already announces them.
 *
 * @summary The people in a group call, with their microphone, speaking, raised hand, encryption and connection.
 * @tag mx-participant-list
 * @status experimental
 * @since 0.2.0
 *
 * @csspart base - The whole list surface.
 * @csspart heading - "People (N)", which names the list.
 * @csspart list - The list.
 * @csspart row - Each person; also `local-row`, `speaking-row` and `connecting-row` where they apply.
 * @csspart avatar - The initials.
 * @csspart name - The person's name ("You" for yourself).
 * @csspart connecting - "Connecting…", for a member whose media has not arrived.
 * @csspart hand - The raised-hand badge with its number in the order hands went up.
 * @csspart mic-muted - The muted-microphone icon.
 * @csspart encrypted - The lock of a member whose media is end-to-end encrypted.
 * @csspart not-encrypted - The text of a member whose media is not end-to-end encrypted.
 * @csspart empty - The text shown with no call, or before joining.
 *
 * @cssprop [--mx-participant-list-background=transparent] - Background of the list.
 * @cssprop [--mx-participant-list-color=inherit] - Text colour.
 * @cssprop [--mx-participant-list-muted-color=#e5484d] - Colour of the muted-microphone icon.
 * @cssprop [--mx-participant-list-speaking-color=#3ccf91] - The ring around the avatar of whoever is speaking.
 * @cssprop [--mx-participant-list-hand-background=#f5a524] - Background of the raised-hand badge.
 * @cssprop [--mx-participant-list-secondary-color=currentColor] - Colour of "Connecting…", "Not encrypted" and the empty text.
 * @cssprop [--mx-participant-list-row-gap=0.25rem] - Space between rows.
 *
 * @cssstate empty - No call, or not joined: no one is listed.
 * @cssstate listing - People are listed.
 */
export class MxParticipantList extends MxElement {
  static override styles = [hostStyles, avatarStyles, styles];

  private readonly store = new StoreController<GroupCallSnapshot>(this, () => this.call);

  /** The group call whose people to list, from `kit.joinGroupCall(roomId)`. */
  @property({ attribute: false }) call: GroupCallHandle | undefined;

  /** Read out who joins and leaves in a polite live region. */
  @property({ type: Boolean, reflect: true }) announce = false;

  @state() private announcement = '';

  private announcements = 0;
  private seen: { call: GroupCallHandle | undefined; snapshot: GroupCallSnapshot | undefined } = { call: undefined, snapshot: undefined };

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const s = this.store.snapshot;
    const before = this.seen.call === this.call ? this.seen.snapshot : undefined;
    this.seen = { call: this.call, snapshot: s };
    if (this.announce && s && before && s !== before) {
      const text = participantListAnnouncement(before, s);
      if (text) {
        this.announcements += 1;
        this.announcement = text;
      }
    }
    const listing = !!s && IN_CALL.has(s.phase);
    this.customStates.set('listing', listing);
    this.customStates.set('empty', !listing);
  }

  private renderRow(row: ParticipantRow) {
    const parts = ['row', row.local ? 'local-row' : '', row.speaking ? 'speaking-row' : '', row.connecting ? 'connecting-row' : ''].filter(Boolean);
    return html`<li part=${parts.join(' ')} class="row ${row.speaking ? 'speaking' : ''}">
      ${renderAvatar({ name: row.local ? row.userId : row.name, fallbackName: row.userId, key: row.userId, src: undefined, onError: () => undefined })}
      <span class="who">
        <span part="name" class="name">${row.name}</span>
        ${row.connecting ? html`<span part="connecting" class="secondary">Connecting…</span>` : nothing}
        ${row.quality && !row.connecting ? html`<span class="visually-hidden">${qualityText(row.quality)}</span>` : nothing}
        ${row.speaking ? html`<span class="visually-hidden">Speaking</span>` : nothing}
      </span>
      <span class="badges">
        ${row.handOrder === undefined
          ? nothing
          : html`<span part="hand" class="hand" role="img" aria-label=${handText(row.handOrder)}>✋<span aria-hidden="true">${row.handOrder}</span></span>`}
        ${row.microphoneMuted ? html`<span part="mic-muted" class="muted" role="img" aria-label="Microphone muted">${micOffIcon}</span>` : nothing}
        ${row.encrypted === true ? html`<span part="encrypted" class="lock" role="img" aria-label="End-to-end encrypted">🔒</span>` : nothing}
        ${row.encrypted === false ? html`<span part="not-encrypted" class="secondary">Not encrypted</span>` : nothing}
      </span>
    </li>`;
  }

  protected override render() {
    const s = this.store.snapshot;
    const rows = s && IN_CALL.has(s.phase) ? participantRows(s) : [];
    return html`<div part="base" class="base">
      ${rows.length > 0
        ? html`<p part="heading" id="heading" class="heading">${peopleHeading(rows.length)}</p>
            <ul part="list" class="list" aria-labelledby="heading">
              ${repeat(rows, (row) => row.identity, (row) => this.renderRow(row))}
            </ul>`
        : html`<p part="empty" class="empty">No one here yet</p>`}
      ${this.announce
        ? html`<div class="visually-hidden" role="status" aria-live="polite">${keyed(this.announcements, html`<span>${this.announcement}</span>`)}</div>`
        : nothing}
    </div>`;
  }
}
