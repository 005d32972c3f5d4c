import { css, html } from 'lit';
import { colorIndex, initials, loadableImageUrl } from './call-text.js';

const COLORS = 6;

export interface AvatarOptions {
  /** The name the initials come from. */
  readonly name: string;
  /** What picks the colour, so a person keeps one colour wherever the kit shows them. */
  readonly key: string;
  readonly url: string | undefined;
  readonly onError: () => void;
}

/** A round avatar: the image when it can load, the person's initials on a colour of their own otherwise. */
export function renderAvatar({ name, key, url, onError }: AvatarOptions) {
  const src = loadableImageUrl(url);
  return html`<span part="avatar" class="avatar color-${colorIndex(key, COLORS)}" aria-hidden="true"
    >${src ? html`<img src=${src} alt="" @error=${onError} />` : initials(name)}</span
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
