import { svg, type SVGTemplateResult } from 'lit';

// Paths from Google's Material Icons (Apache-2.0, like this kit) on a 24×24 grid, except the spotlight glyph, drawn
// here. Only <mx-group-call> draws these; the icons every call element shares are in internal/icons.ts.
const icon = (path: SVGTemplateResult): SVGTemplateResult =>
  svg`<svg class="icon" viewBox="0 0 24 24" width="24" height="24" fill="currentColor" aria-hidden="true" focusable="false">${path}</svg>`;

export const lockIcon = icon(
  svg`<path d="M18 8h-1V6c0-2.76-2.24-5-5-5S7 3.24 7 6v2H6c-1.1 0-2 .9-2 2v10c0 1.1.9 2 2 2h12c1.1 0 2-.9 2-2V10c0-1.1-.9-2-2-2zm-6 9c-1.1 0-2-.9-2-2s.9-2 2-2 2 .9 2 2-.9 2-2 2zm3.1-9H8.9V6c0-1.71 1.39-3.1 3.1-3.1 1.71 0 3.1 1.39 3.1 3.1v2z"/>`,
);

export const gridIcon = icon(
  svg`<path d="M3 3v8h8V3H3zm6 6H5V5h4v4zm-6 4v8h8v-8H3zm6 6H5v-4h4v4zm4-16v8h8V3h-8zm6 6h-4V5h4v4zm-6 4v8h8v-8h-8zm6 6h-4v-4h4v4z"/>`,
);

export const spotlightIcon = icon(svg`<path d="M3 4h18v11H3V4zm0 13h5v3H3v-3zm6.5 0h5v3h-5v-3zm6.5 0h5v3h-5v-3z"/>`);

export const previousIcon = icon(svg`<path d="M15.41 7.41 14 6l-6 6 6 6 1.41-1.41L10.83 12z"/>`);

export const nextIcon = icon(svg`<path d="M10 6 8.59 7.41 13.17 12l-4.58 4.59L10 18l6-6z"/>`);
