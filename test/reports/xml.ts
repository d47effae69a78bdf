/**
 * A small XML well-formedness check for the JUnit tests (no XML parser is installed):
 * tags nest and close in order, attribute values are quoted and contain no raw `<`, `"`
 * or unescaped `&`, text has no raw `<`, stray `&` or `]]>`, and CDATA sections are closed.
 * It returns the problems found, so that a test can also check it rejects bad input.
 */
const entity = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function textProblem(text: string, where: string): string | null {
  if (where === 'text' && text.includes(']]>')) return `]]> in text: ${text.slice(0, 60)}`;
  const withoutEntities = text.replace(entity, '');
  if (withoutEntities.includes('&')) return `unescaped & in ${where}: ${text.slice(0, 60)}`;
  return null;
}

/** Index of the `>` ending the tag opened at `open`; a `>` inside a quoted value is legal XML. */
function tagEnd(xml: string, open: number): number {
  let quoted = false;
  for (let index = open + 1; index < xml.length; index += 1) {
    const character = xml[index];
    if (character === '"') quoted = !quoted;
    else if (character === '>' && !quoted) return index;
  }
  return -1;
}

export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let rootCount = 0;
  let position = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0;
  while (position < xml.length) {
    const open = xml.indexOf('<', position);
    const text = xml.slice(position, open === -1 ? xml.length : open);
    const problem = textProblem(text, 'text');
    if (problem) problems.push(problem);
    if (open === -1) break;
    if (xml.startsWith('<![CDATA[', open)) {
      const close = xml.indexOf(']]>', open);
      if (close === -1) return [...problems, 'unclosed CDATA'];
      position = close + 3;
      continue;
    }
    const close = tagEnd(xml, open);
    if (close === -1) return [...problems, 'unclosed tag'];
    const tag = xml.slice(open + 1, close);
    position = close + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const expected = stack.pop();
      if (expected !== name) problems.push(`</${name}> closes <${expected ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const match = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*$/.exec(body);
    if (!match) {
      problems.push(`malformed tag <${tag.slice(0, 80)}>`);
      continue;
    }
    for (const attribute of match[2]!.matchAll(/="([^"]*)"/g)) {
      const value = attribute[1]!;
      if (value.includes('<')) problems.push(`raw < in attribute: ${value.slice(0, 60)}`);
      const entityProblem = textProblem(value, 'attribute');
      if (entityProblem) problems.push(entityProblem);
    }
    if (stack.length === 0) rootCount += 1;
    if (!selfClosing) stack.push(match[1]!);
  }
  if (stack.length > 0) problems.push(`unclosed elements: ${stack.join(', ')}`);
  if (rootCount !== 1) problems.push(`expected one root element, found ${rootCount}`);
  return problems;
}
