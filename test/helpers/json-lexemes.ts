/**
 * JSON as a Java validator reads it: the value (as JSON.parse gives it) and the instance paths (JSON pointers,
 * ajv's `instancePath` form) of numbers written with a fraction or an exponent. Jackson, under API Gateway's
 * validator, types `2.0` and `2e0` as non-integral numbers by how they are written, while JSON.parse loses that.
 * Throws SyntaxError where JSON.parse does.
 */
export function parseWithLexemes(text: string): { value: unknown; decimalNumbers: Set<string> } {
  const value = JSON.parse(text); // the grammar and the values are JSON.parse's; this walk only finds lexemes
  const decimalNumbers = new Set<string>();
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const walk = (path: string): void => {
    ws();
    const c = text[i]!;
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        ws();
        i++; // colon
        walk(`${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
        ws();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        walk(`${path}/${n}`);
        ws();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      str();
      return;
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?|^(true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) throw new SyntaxError(`unexpected ${c} at ${i}`);
    if (m[1] !== undefined || m[2] !== undefined) decimalNumbers.add(path);
    i += m[0].length;
  };
  walk('');
  return { value, decimalNumbers };
}
