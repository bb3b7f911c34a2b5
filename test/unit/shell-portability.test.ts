import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README's shell commands and docs/walkthrough.sh must run with BSD tools (macOS) as well as GNU ones (Linux):
 * no flag that only GNU coreutils, sed or grep know. Each rule names the flag and the portable way instead.
 */
const RULES: { pattern: RegExp; problem: string }[] = [
  {
    pattern: /\bdate\b[^|;&\n]*\s(-d|--date)\b/,
    problem: 'date -d is GNU only (BSD: -v); compute dates with jq',
  },
  {
    pattern: /\bsed\b[^|;&\n]*\s(-i|--in-place)(\s|$)/,
    problem: 'sed -i without a suffix differs between GNU and BSD; write -i.bak or use a temporary file',
  },
  {
    pattern: /\bgrep\b[^|;&\n]*\s(-[a-zA-Z]*P[a-zA-Z]*|--perl-regexp)\b/,
    problem: 'grep -P is GNU only; use -E',
  },
  { pattern: /\bbase64\b[^|;&\n]*\s(-w|--wrap)/, problem: 'base64 -w is GNU only' },
  { pattern: /\breadlink\b[^|;&\n]*\s-[a-zA-Z]*f/, problem: 'readlink -f is GNU only (older BSDs)' },
  { pattern: /\bstat\b[^|;&\n]*\s(-c|--format)\b/, problem: 'stat -c is GNU only (BSD: -f)' },
  { pattern: /\bxargs\b[^|;&\n]*\s(-r|--no-run-if-empty)\b/, problem: 'xargs -r is GNU only' },
  { pattern: /\becho\s+-e\b/, problem: 'echo -e is not portable; use printf' },
  { pattern: /\bfind\b[^|;&\n]*\s-printf\b/, problem: 'find -printf is GNU only' },
  {
    pattern: /\b(sha256sum|md5sum)\b/,
    problem: 'sha256sum and md5sum are GNU coreutils; use shasum -a 256 or openssl',
  },
  { pattern: /\bmktemp\b[^|;&\n]*\s(--suffix|-p)\b/, problem: 'mktemp --suffix and -p are GNU only' },
];

/** The problems of one script, one per offending line: `<where>:<line>: <problem>`. */
function gnuOnly(where: string, script: string, firstLine = 1): string[] {
  const out: string[] = [];
  script.split('\n').forEach((line, i) => {
    const code = line.replace(/(^|\s)#.*$/, ''); // comments may name the flags they avoid
    for (const r of RULES) if (r.pattern.test(code)) out.push(`${where}:${firstLine + i}: ${r.problem}`);
  });
  return out;
}

/** The README's shell code blocks (```bash, ```sh, ```shell, ```console), each with the line it starts at. */
function shellBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(bash|sh|shell|console|zsh)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    while (i + 1 < lines.length && !lines[i + 1]!.startsWith('```')) i++;
    blocks.push({ line: start + 1, code: lines.slice(start, i + 1).join('\n') });
  }
  return blocks;
}

const root = join(import.meta.dirname, '../..');

describe("the README's commands and docs/walkthrough.sh work with BSD as well as GNU tools", () => {
  it('catches each GNU-only flag it knows (the check itself can fail)', () => {
    const bad = [
      "END=$(date -d '+364 days' +%F)",
      "sed -i 's/a/b/' file",
      "grep -oP '\\d+' file",
      'base64 -w0 key',
      'readlink -f .',
      'stat -c %s file',
      'xargs -r rm',
      "echo -e 'a\\tb'",
      "find . -printf '%p'",
      'sha256sum report.pdf',
      'mktemp -p /tmp',
    ];
    for (const line of bad) expect(gnuOnly('example', line), line).toHaveLength(1);
    const good = [
      'TZ=Europe/London jq -rn \'now + 364 * 86400 | strflocaltime("%Y-%m-%d")\'',
      "sed -i.bak 's/a/b/' file",
      "grep -oE '[0-9]+' file",
      'date +%Y-%m-%d',
      '# date -d is GNU only',
      'shasum -a 256 report.pdf',
      'mktemp /tmp/accord.XXXXXX',
    ];
    for (const line of good) expect(gnuOnly('example', line), line).toEqual([]);
  });

  it("finds none in the README's shell blocks", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const blocks = shellBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(blocks.flatMap((b) => gnuOnly('README.md', b.code, b.line))).toEqual([]);
  });

  it('finds none in docs/walkthrough.sh', () => {
    const script = readFileSync(join(root, 'docs/walkthrough.sh'), 'utf8');
    expect(script).toContain('curl');
    expect(gnuOnly('docs/walkthrough.sh', script)).toEqual([]);
  });
});
