// html-to-text ships no types; this covers the part received mail uses.
declare module 'html-to-text' {
  interface Builder {
    addInline(text: string): void;
  }
  type Walk = (nodes: unknown[], builder: Builder) => void;
  interface Element {
    children: unknown[];
  }
  type Formatter = (elem: Element, walk: Walk, builder: Builder, options: Record<string, unknown>) => void;
  interface Options {
    wordwrap?: number | false | null;
    limits?: { maxDepth?: number; maxInputLength?: number; maxChildNodes?: number; ellipsis?: string };
    formatters?: Record<string, Formatter>;
    selectors?: Array<{ selector: string; format?: string; options?: Record<string, unknown> }>;
  }
  export function compile(options?: Options): (html: string) => string;
  export function htmlToText(html: string, options?: Options): string;
}
