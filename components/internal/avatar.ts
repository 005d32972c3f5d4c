import { css, html } from 'lit';

const COLORS = 6;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Up to two initials: the first letter of the first and of the last word, where a word is a run of letters
 * (`\p{L}`), so brackets, digits, punctuation and emoji are skipped ("Alice (demo)" → "AD"). A Matrix user id
 * loses its sigil and server ("@bob:example.org" → "B"). Empty when there is no letter at all.
 */
export function initials(name: string): string {
  const userId = /^@([^:]+):/u.exec(name);
  // An apostrophe inside a word (O'Brien, d’Arc) does not start another one.
  const text = (userId?.[1] ?? name).replace(/(?<=\p{L})['’](?=\p{L})/gu, '');
  const firsts: string[] = [];
  let inWord = false;
  for (const { segment } of graphemes.segment(text)) {
    // A grapheme keeps its combining marks, so "e\u0301" counts as the letter it starts with.
    const letter = /^\p{L}/u.test(segment);
    if (letter && !inWord) firsts.push(segment);
    inWord = letter;
  }
  const picked = firsts.length > 1 ? [firsts[0], firsts[firsts.length - 1]] : firsts;
  return picked.map((first) => (first ?? '').toLocaleUpperCase()).join('');
}

/** A stable colour index for a user, so the same person keeps the same placeholder colour. */
export function colorIndex(key: string, colors: number): number {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % colors;
}

export interface AvatarOptions {
  /** The name the initials come from. */
  readonly name: string;
  /** Where the initials come from when `name` has no letter (a name of emoji only): the user id. */
  readonly fallbackName?: string | undefined;
  /** What picks the colour, so a person keeps one colour wherever the kit shows them. */
  readonly key: string;
  /**
   * The image as an object URL (`blob:`, made by the page from bytes it already has). Anything else is not
   * loaded: an avatar URL is chosen by the person it shows, and fetching it would tell their server who is
   * looking, from where, and when.
   */
  readonly src: string | undefined;
  readonly onError: () => void;
}

/** A round avatar: the image when there is one, the person's initials on a colour of their own otherwise. */
export function renderAvatar({ name, fallbackName, key, src, onError }: AvatarOptions) {
  const image = src?.startsWith('blob:') ? src : undefined;
  return html`<span part="avatar" class="avatar color-${colorIndex(key, COLORS)}" aria-hidden="true"
    >${image ? html`<img src=${image} alt="" @error=${onError} />` : initials(name) || initials(fallbackName ?? '')}</span
  >`;
}

/** Size it with `--mx-avatar-size` on the avatar or an ancestor. */
export const avatarStyles = css`
  @layer mx-component {
    .avatar {
      display: grid;
      place-items: center;
      flex: none;
      inline-size: var(--mx-avatar-size, 3rem);
      block-size: var(--mx-avatar-size, 3rem);
      border-radius: 50%;
      overflow: hidden;
      font-size: calc(var(--mx-avatar-size, 3rem) * 0.4);
      font-weight: 600;
      line-height: 1;
      color: #fff;
      user-select: none;
    }

    .avatar img {
      inline-size: 100%;
      block-size: 100%;
      object-fit: cover;
    }

    /* Each dark enough behind white initials for WCAG AA contrast. */
    .avatar.color-0 {
      background: #0b6b5f;
    }
    .avatar.color-1 {
      background: #1d4ed8;
    }
    .avatar.color-2 {
      background: #7e22ce;
    }
    .avatar.color-3 {
      background: #b42318;
    }
    .avatar.color-4 {
      background: #a14100;
    }
    .avatar.color-5 {
      background: #0e6b8a;
    }
  }
`;
