/**
 * A hand-written SVG: one horizontal bar chart per scenario that has peers, each bar the row's
 * ratio to the best peer of its scenario (lower is better), with the 1.0 line marked.
 */
import type { Row } from '../model';
import { kindLabel, times } from './format';
import type { Section } from './table';

const WIDTH = 960;
const LABEL_W = 390;
const BAR_X = LABEL_W + 10;
const BAR_W = 430;
const BAR_H = 16;
const GAP = 6;
const TITLE_H = 30;
const GROUP_GAP = 18;
/** Ratios above this are clipped (the bar ends in a notch; the label keeps the real value). */
const CLIP = 4;

const COLOURS: Record<Row['kind'], string> = {
  ours: '#d9480f',
  peer: '#4c6ef5',
  baseline: '#adb5bd',
  bare: '#adb5bd',
};

/** Row names shortened to fit the label column (the colour already says ours/peer/ref). */
const MAX_LABEL = 64;
const shorten = (s: string): string =>
  s.length <= MAX_LABEL ? s : s.slice(0, MAX_LABEL - 1) + '…';

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderSvg(sections: Section[], subtitle: string): string {
  const groups = sections
    .map((s) => ({
      section: s,
      bars: s.rows.filter((r) => r.kind !== 'bare' && r.vsBestPeer !== undefined),
    }))
    .filter((g) => g.bars.some((r) => r.kind === 'peer') && g.bars.some((r) => r.kind === 'ours'));

  const parts: string[] = [];
  let y = 70;
  for (const { section, bars } of groups) {
    const max = Math.min(CLIP, Math.max(1.25, ...bars.map((r) => r.vsBestPeer!)));
    const scale = BAR_W / max;
    // The 1.0 line goes first, under the bars and their values.
    const oneX = (BAR_X + scale).toFixed(1);
    const bottom = y + TITLE_H + bars.length * (BAR_H + GAP) - GAP + 4;
    parts.push(
      `<text x="10" y="${y + 18}" class="title">${escapeXml(`${section.id}. ${section.title}`)}</text>`,
      `<line x1="${oneX}" y1="${y + TITLE_H - 6}" x2="${oneX}" y2="${bottom}" class="one"/>`,
      `<text x="${oneX}" dx="4" y="${y + TITLE_H - 9}" class="axis">1.0 = best peer</text>`,
    );
    y += TITLE_H;
    for (const r of bars) {
      const value = r.vsBestPeer!;
      const w = Math.max(1, Math.min(value, max) * scale);
      const clipped = value > max;
      parts.push(
        `<text x="${LABEL_W}" y="${y + BAR_H - 4}" class="label" text-anchor="end">${escapeXml(
          shorten(r.name),
        )}<title>${escapeXml(`${r.name} (${kindLabel[r.kind]})`)}</title></text>`,
        `<rect x="${BAR_X}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLOURS[r.kind]}"/>`,
        clipped
          ? `<path d="M${(BAR_X + w - 8).toFixed(1)} ${y} l6 ${BAR_H / 2} l-6 ${BAR_H / 2}" stroke="#fff" stroke-width="2" fill="none"/>`
          : '',
        `<text x="${(BAR_X + w + 6).toFixed(1)}" y="${y + BAR_H - 4}" class="${
          r.kind === 'ours' ? 'value ours' : 'value'
        }">${escapeXml(times(value))}</text>`,
      );
      y += BAR_H + GAP;
    }
    y += GROUP_GAP;
  }
  if (groups.length === 0) {
    parts.push(`<text x="10" y="${y + 18}" class="label">No scenario with peers was run.</text>`);
    y += 40;
  }

  const legend = (['ours', 'peer', 'baseline'] as const)
    .map(
      (k, i) =>
        `<rect x="${10 + i * 170}" y="44" width="12" height="12" fill="${COLOURS[k]}"/>` +
        `<text x="${28 + i * 170}" y="54" class="label">${
          k === 'ours' ? 'ours' : k === 'peer' ? 'peer library' : 'hand-written / raw reference'
        }</text>`,
    )
    .join('');

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 10}" viewBox="0 0 ${WIDTH} ${y + 10}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>',
    '.title{font-size:14px;font-weight:bold;fill:#212529}',
    '.label{font-size:11px;fill:#343a40}',
    // A white halo keeps a value readable where the 1.0 line crosses it.
    '.value{font-size:12px;fill:#495057;paint-order:stroke;stroke:#fff;stroke-width:3px}',
    '.ours{font-weight:bold;fill:#d9480f}',
    '.axis{font-size:11px;fill:#c92a2a}',
    '.one{stroke:#c92a2a;stroke-width:1.5;stroke-dasharray:4 3}',
    '</style>',
    `<rect width="${WIDTH}" height="${y + 10}" fill="#fff"/>`,
    `<text x="10" y="22" class="title">execution-utils: median time (G: heap per entry) as a multiple of the best peer; lower is better</text>`,
    `<text x="10" y="38" class="label">${escapeXml(subtitle)}; bars longer than ${CLIP}x are cut (notch)</text>`,
    legend,
    ...parts.filter(Boolean),
    '</svg>',
    '',
  ].join('\n');
}
