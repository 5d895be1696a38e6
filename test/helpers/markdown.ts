/** Fenced code blocks of a Markdown file, with the HTML comment on the line before each, and the prose around them. */
export interface Block {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The HTML comment on the line before the fence, if any. */
  mark: string | null;
}

export function splitMarkdown(md: string): { blocks: Block[]; prose: string[] } {
  const lines = md.split('\n');
  const blocks: Block[] = [];
  const prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) {
      prose.push(lines[i]!);
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    const before = /^<!--\s*(.*?)\s*-->$/.exec(lines[start - 1] ?? '');
    blocks.push({ lang: open[1]!, code: `${body.join('\n')}\n`, line: start + 1, mark: before?.[1] ?? null });
    prose.push('');
  }
  return { blocks, prose };
}

/** The relative link targets of a Markdown text (`[x](path)`, without #anchors). */
export function relativeLinks(md: string): string[] {
  return [...md.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t) && !t.startsWith('#')).map((t) => t.split('#')[0]!);
}
