import type { Row, Target } from '../model';
import { kindLabel, ns, targetText, times } from './format';

export interface Section {
  id: string;
  title: string;
  rows: Row[];
  targets: Target[];
}

const HEADER = [
  'scenario',
  'row',
  'median ns/op',
  'p99 ns/op',
  'x bare',
  'x best peer',
  'target',
  'met?',
];

/** One Markdown table: each scenario's rows, then its target rows. */
export function markdownTable(sections: Section[]): string {
  const lines: string[][] = [];
  for (const s of sections) {
    for (const r of s.rows) {
      lines.push([
        s.id,
        `${r.name} _(${kindLabel[r.kind]})_`,
        r.medianNs !== undefined ? ns(r.medianNs) : (r.value ?? ''),
        ns(r.p99Ns),
        times(r.vsBare),
        times(r.vsBestPeer),
        '',
        '',
      ]);
    }
    for (const t of s.targets) {
      lines.push([
        s.id,
        `**target: ${t.name}**`,
        '',
        '',
        '',
        '',
        targetText(t),
        t.met ? 'met' : '**MISSED**',
      ]);
    }
  }
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  return [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((_, i) => (i >= 2 && i <= 5 ? '---:' : '---')).join(' | ')} |`,
    ...lines.map((cells) => `| ${cells.map(escape).join(' | ')} |`),
  ].join('\n');
}
