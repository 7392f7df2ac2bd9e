/**
 * Splits a RouterOS command line into words, keeping quoted strings and [...] selectors whole, for the tests that
 * check generated scripts against RouterOS's documented syntax. An unbalanced quote or bracket throws.
 */
export function words(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      word += c;
      if (c === '\\') word += line[++i] ?? '';
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      word += c;
    } else if (c === '[') {
      depth++;
      word += c;
    } else if (c === ']') {
      depth--;
      word += c;
    } else if (c === ' ' && depth === 0) {
      if (word) out.push(word);
      word = '';
    } else {
      word += c;
    }
  }
  if (quoted || depth !== 0) throw new Error(`unbalanced quote or bracket: ${line}`);
  if (word) out.push(word);
  return out;
}
