import type { BurnDownChart, Cell, ReportModel, Table } from '../domain/reports/model.js';
import { display, displayDate } from './format.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const STATUS_COLOURS: Record<string, string> = {
  met: '#1b7a3a',
  healthy: '#1b7a3a',
  match: '#1b7a3a',
  missed: '#b3261e',
  breached: '#b3261e',
  difference: '#b3261e',
  'at-risk': '#9a5b00',
  unknown: '#5f6368',
  'not-checked': '#5f6368',
};

function cellHtml(c: Cell): string {
  const text = escapeHtml(display(c));
  const right = c.t === 'number' || c.t === 'percent' || c.t === 'money';
  const colour = c.t === 'status' ? `color:${STATUS_COLOURS[c.v] ?? '#202124'};font-weight:bold;` : '';
  return `<td style="${FONT}font-size:12px;padding:4px 8px;border-bottom:1px solid #e0e0e0;${right ? 'text-align:right;white-space:nowrap;' : ''}${colour}">${text}</td>`;
}

function tableHtml(t: Table): string {
  const head = t.columns
    .map(
      (c) =>
        `<th style="${FONT}font-size:12px;text-align:left;padding:4px 8px;background:#f1f3f4;border-bottom:2px solid #c0c0c0;">${escapeHtml(c.label)}</th>`,
    )
    .join('');
  const body = t.rows.length
    ? t.rows.map((r) => `<tr>${r.map(cellHtml).join('')}</tr>`).join('\n')
    : `<tr><td colspan="${Math.max(1, t.columns.length)}" style="${FONT}font-size:12px;padding:4px 8px;color:#5f6368;">${escapeHtml(t.empty)}</td></tr>`;
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="border-collapse:collapse;margin:8px 0 16px 0;">
<caption style="${FONT}font-size:13px;font-weight:bold;text-align:left;padding:4px 0;">${escapeHtml(t.title)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

/**
 * A burn-down as e-mail clients show it (no SVG, no script, no image): a row per point of the budget left, a
 * bar of table cells as wide as the budget share, at most 12 points sampled evenly.
 */
function chartHtml(c: BurnDownChart): string {
  const title = `<p style="${FONT}font-size:12px;font-weight:bold;margin:8px 0 2px 0;">${escapeHtml(c.title)}</p>`;
  if (c.points.length === 0)
    return `${title}<p style="${FONT}font-size:12px;color:#5f6368;margin:0 0 8px 0;">${escapeHtml(c.empty)}</p>`;
  const step = Math.max(1, Math.ceil(c.points.length / 12));
  const sample = c.points.filter((_, i) => i % step === 0 || i === c.points.length - 1);
  const rows = sample
    .map((p) => {
      const left = p.remaining === null ? null : Math.max(0, Math.min(1, p.remaining));
      const width = left === null ? 0 : Math.round(left * 100);
      const label = p.remaining === null ? 'no data' : `${(100 * p.remaining).toFixed(1)}%`;
      const colour = left === null ? '#dadce0' : left < 0.25 ? '#b3261e' : left < 0.5 ? '#e37400' : '#1b7a3a';
      const bar =
        width > 0
          ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="${width}%"><tr><td style="background:${colour};height:10px;font-size:1px;line-height:1px;">&nbsp;</td></tr></table>`
          : '&nbsp;';
      return `<tr><td style="${FONT}font-size:11px;padding:1px 8px 1px 0;white-space:nowrap;color:#5f6368;">${escapeHtml(displayDate(p.at))}</td><td style="${FONT}font-size:11px;padding:1px 8px;text-align:right;white-space:nowrap;">${escapeHtml(label)}</td><td width="60%" style="padding:1px 0;">${bar}</td></tr>`;
    })
    .join('\n');
  return `${title}<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="border-collapse:collapse;margin:0 0 8px 0;">${rows}</table>`;
}

/**
 * The HTML format, one document for e-mail and the portal: tables for layout, inline styles only, no script,
 * no external resource, no SVG (clients that strip it would lose the charts), every value escaped.
 */
export function renderHtml(model: ReportModel): Uint8Array {
  const summary = model.summary
    .map(
      (f) =>
        `<td style="${FONT}padding:8px 12px;border:1px solid #e0e0e0;vertical-align:top;"><div style="font-size:11px;color:#5f6368;">${escapeHtml(f.label)}</div><div style="font-size:18px;font-weight:bold;">${escapeHtml(display(f.cell))}</div></td>`,
    )
    .join('');
  const sections = model.sections
    .map(
      (
        s,
      ) => `<h2 style="${FONT}font-size:16px;margin:24px 0 4px 0;border-bottom:1px solid #c0c0c0;">${escapeHtml(s.title)}</h2>
${s.paragraphs.map((p) => `<p style="${FONT}font-size:12px;margin:4px 0;">${escapeHtml(p)}</p>`).join('\n')}
${s.tables.map(tableHtml).join('\n')}
${s.charts.map(chartHtml).join('\n')}`,
    )
    .join('\n');
  const commentary = model.commentary.length
    ? `<h2 style="${FONT}font-size:16px;margin:24px 0 4px 0;border-bottom:1px solid #c0c0c0;">Commentary from objective owners</h2>
${model.commentary.map((c) => `<p style="${FONT}font-size:12px;margin:4px 0;"><b>${escapeHtml(`${c.agreementId} / ${c.objectiveId}`)}</b> (${escapeHtml(c.author)}, ${escapeHtml(displayDate(c.at))}): ${escapeHtml(c.text)}</p>`).join('\n')}`
    : '';
  const notes = model.notes
    .map((n) => `<li style="${FONT}font-size:11px;color:#5f6368;">${escapeHtml(n)}</li>`)
    .join('\n');
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="accord-report-id" content="${escapeHtml(model.id)}">
<meta name="accord-report-hash" content="${escapeHtml(model.hash)}">
<title>${escapeHtml(`${model.title}: ${model.scopeLabel}, ${model.period.label}`)}</title>
</head>
<body style="margin:0;padding:0;background:#ffffff;color:#202124;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%"><tr><td style="padding:16px;">
<h1 style="${FONT}font-size:22px;margin:0 0 4px 0;">${escapeHtml(model.title)}</h1>
<p style="${FONT}font-size:13px;margin:0 0 12px 0;color:#3c4043;">${escapeHtml(model.scopeLabel)} · ${escapeHtml(model.period.label)} · for ${escapeHtml(model.audience)}${model.party ? ` (${escapeHtml(model.party)})` : ''} · generated ${escapeHtml(displayDate(model.generatedAt))}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;"><tr>${summary}</tr></table>
${sections}
${commentary}
<h2 style="${FONT}font-size:14px;margin:24px 0 4px 0;">Notes</h2>
<ul style="margin:0;padding-left:18px;">
${notes}
</ul>
<p style="${FONT}font-size:10px;color:#5f6368;margin:16px 0 0 0;">Report ${escapeHtml(model.id)} · SHA-256 of the report: ${escapeHtml(model.hash)}</p>
</td></tr></table>
</body>
</html>
`;
  return new TextEncoder().encode(html);
}
