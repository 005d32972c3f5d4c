// The geometry of <mx-group-call>'s grid, kept free of the DOM so it can be checked by tables: how many tiles a
// stage holds, how they are arranged, and which tiles go on which page.

export const GROUP_CALL_LAYOUTS = ['grid', 'spotlight'] as const;
export type GroupCallLayout = (typeof GROUP_CALL_LAYOUTS)[number];

export interface StageSize {
  readonly width: number;
  readonly height: number;
}

/** The smallest tile the grid draws, in CSS pixels: two columns still fit across a phone held upright. */
export const MIN_TILE_WIDTH = 150;
export const MIN_TILE_HEIGHT = 110;

/** More tiles than this on one page are too small to recognise anyone, and each one decodes a video. */
export const MAX_TILES_PER_PAGE = 12;

/** How many tiles fit on one page of a stage of `size` with `gap` pixels between tiles (at least one). */
export function pageCapacity(size: StageSize, gap: number): number {
  const columns = Math.max(1, Math.floor((size.width + gap) / (MIN_TILE_WIDTH + gap)));
  const rows = Math.max(1, Math.floor((size.height + gap) / (MIN_TILE_HEIGHT + gap)));
  return Math.min(MAX_TILES_PER_PAGE, columns * rows);
}

export interface GridShape {
  readonly columns: number;
  readonly rows: number;
}

/**
 * The columns and rows that give `count` tiles the largest 16:9 picture on a stage of `size`: a wide stage lays
 * four tiles out two by two, a phone held upright stacks them. Ties go to fewer columns.
 */
export function gridShape(count: number, size: StageSize, gap: number): GridShape {
  const tiles = Math.max(1, count);
  let best: GridShape = { columns: 1, rows: tiles };
  let bestWidth = -Infinity;
  for (let columns = 1; columns <= tiles; columns += 1) {
    const rows = Math.ceil(tiles / columns);
    const cellWidth = (size.width - (columns - 1) * gap) / columns;
    const cellHeight = (size.height - (rows - 1) * gap) / rows;
    const pictureWidth = Math.min(cellWidth, (cellHeight * 16) / 9);
    if (pictureWidth > bestWidth) {
      best = { columns, rows };
      bestWidth = pictureWidth;
    }
  }
  return best;
}

/**
 * Splits `items` into pages of `capacity`, keeping the items whose keys are in `pinned` (most important first,
 * as many as fit) on the first page. Every page keeps the items' own order, so a tile does not jump around the
 * first page when it becomes the speaker; it only moves there from a later page.
 */
export function paginate<T>(items: readonly T[], capacity: number, keyOf: (item: T) => string, pinned: readonly string[]): T[][] {
  const size = Math.max(1, Math.floor(capacity));
  const present = new Set(items.map(keyOf));
  const first = new Set([...new Set(pinned)].filter((key) => present.has(key)).slice(0, size));
  for (const item of items) {
    if (first.size >= size) break;
    first.add(keyOf(item));
  }
  const pages: T[][] = [items.filter((item) => first.has(keyOf(item)))];
  const rest = items.filter((item) => !first.has(keyOf(item)));
  for (let start = 0; start < rest.length; start += size) pages.push(rest.slice(start, start + size));
  return pages;
}
