/**
 * HTML to plain text, without a DOM: simple and safe rather than faithful. Feeds (the
 * monitor) need one flat string per item; documents for retrieval need their blocks, with
 * headings apart from paragraphs and where each block was in the source.
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  shy: "",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  laquo: "«",
  raquo: "»",
  lsaquo: "‹",
  rsaquo: "›",
  bull: "•",
  middot: "·",
  copy: "©",
  reg: "®",
  trade: "™",
  deg: "°",
  times: "×",
  divide: "÷",
  plusmn: "±",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  sect: "§",
  para: "¶",
  iexcl: "¡",
  iquest: "¿",
  eacute: "é",
  egrave: "è",
  agrave: "à",
  aacute: "á",
  ouml: "ö",
  uuml: "ü",
  auml: "ä",
  szlig: "ß",
  ccedil: "ç",
  ntilde: "ñ",
  ensp: " ",
  emsp: " ",
  thinsp: " ",
  zwnj: "",
  zwj: "",
};

/**
 * The character(s) of an entity's name (what sits between `&` and `;`): a common named
 * entity or any numeric one. A numeric reference to no character (0, a surrogate, beyond
 * U+10FFFF) is U+FFFD, as HTML parsers make it; an unknown name is undefined.
 *
 * @example
 * decodeHtmlEntity("amp"); // "&"
 * decodeHtmlEntity("#x201C"); // "“"
 * decodeHtmlEntity("bogus"); // undefined
 */
export function decodeHtmlEntity(name: string): string | undefined {
  if (name.startsWith("#")) {
    const code =
      name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    const valid =
      Number.isInteger(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : "\uFFFD";
  }
  return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()];
}

const ENTITY = /&([a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,8}|#[xX][0-9a-fA-F]{1,8});/g;

/**
 * Decodes the character references of text that holds no tags any more: the common named
 * entities and all numeric ones; unknown names stay as they are.
 *
 * @example
 * decodeHtmlEntities("Fish &amp; chips &#8230;"); // "Fish & chips …"
 */
export function decodeHtmlEntities(text: string): string {
  return text.replace(ENTITY, (whole, name: string) => decodeHtmlEntity(name) ?? whole);
}

const BLOCK_TAGS =
  /<\/?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|table|thead|tbody|blockquote|pre|hr|section|article|aside|header|footer|figure|figcaption|dl|dt|dd|img)\b[^>]*>/gi;

/**
 * HTML to plain text, simply and safely: comments and the contents of script, style and
 * similar elements go, block tags become spaces, other tags vanish, the common named and
 * all numeric entities are decoded (after the tags are gone, so `&lt;b&gt;` stays text),
 * and whitespace is collapsed.
 *
 * @example
 * htmlToText("<p>Fish &amp; <b>chips</b></p><script>x()</script>"); // "Fish & chips"
 */
export function htmlToText(html: string): string {
  return decodeHtmlEntities(
    html
      .replace(/<!--[\s\S]*?(?:-->|$)/g, " ")
      .replace(/<(script|style|noscript|template|iframe|object|svg|math)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, " ")
      .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1")
      .replace(BLOCK_TAGS, " ")
      .replace(/<\/?[a-zA-Z][^>]*>/g, "")
      .replace(/<![^>]*>/g, " "),
  )
    .replace(/\s+/g, " ")
    .trim();
}

/** A heading or a run of text between block boundaries, as `htmlBlocks` finds them. */
export interface HtmlBlock {
  kind: "heading" | "text";
  /** 1-6 for h1-h6 (and 1 for the document's <title>); 0 for text. */
  level: number;
  /** Tags gone, entities decoded, whitespace collapsed; never empty. */
  text: string;
  /** Offset in the HTML of the block's first character of text. */
  start: number;
  /** Offset in the HTML one past its last character of text. */
  end: number;
}

// One alternation, so that the scan meets markup in document order: a comment, an element
// whose content is never text (its content with it), CDATA, a tag, a declaration.
const MARKUP =
  /<!--[\s\S]*?(?:-->|$)|<(script|style|noscript|template|iframe|object|svg|math|nav)\b[\s\S]*?(?:<\/\1\s*>|$)|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>|<![^>]*>/gi;

/** Elements that end the text before them and start a new block. */
const BLOCK_ELEMENTS: ReadonlySet<string> = new Set(
  (
    "address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption figure " +
    "footer form head header hr html img li main ol p pre section summary table tbody td tfoot th thead tr ul"
  ).split(" "),
);
const HEADING = /^h([1-6])$/;

/**
 * The blocks of an HTML document in order: headings (h1-h6, and the <title>) apart from
 * the text between block boundaries (paragraphs, list items, table cells...). Script,
 * style, navigation and similar elements are dropped with their content; entities are
 * decoded. Each block says where its text lies in the HTML.
 *
 * @example
 * htmlBlocks("<h2>Lost card</h2><p>Call &amp; block it.</p>");
 * // [{ kind: "heading", level: 2, text: "Lost card", start: 4, end: 13 },
 * //  { kind: "text", level: 0, text: "Call & block it.", start: 21, end: 41 }]
 */
export function htmlBlocks(html: string): HtmlBlock[] {
  const out: HtmlBlock[] = [];
  let raw = "";
  let start = -1;
  let end = -1;
  let level = 0;
  const addText = (piece: string, at: number): void => {
    const first = piece.search(/\S/);
    if (first < 0) {
      raw += piece;
      return;
    }
    if (start < 0) start = at + first;
    end = at + piece.trimEnd().length;
    raw += piece;
  };
  const flush = (): void => {
    const text = decodeHtmlEntities(raw).replace(/\s+/g, " ").trim();
    if (text.length > 0) out.push({ kind: level > 0 ? "heading" : "text", level, text, start, end });
    raw = "";
    start = -1;
    end = -1;
  };
  const pattern = new RegExp(MARKUP.source, MARKUP.flags);
  let last = 0;
  for (let m = pattern.exec(html); m !== null; m = pattern.exec(html)) {
    if (m.index > last) addText(html.slice(last, m.index), last);
    last = m.index + m[0].length;
    if (m[2] !== undefined) {
      addText(m[2], m.index + 9);
      continue;
    }
    const name = m[4]?.toLowerCase();
    if (name === undefined) continue;
    const heading = HEADING.exec(name);
    const headingLevel = heading !== null ? Number(heading[1]) : name === "title" ? 1 : 0;
    if (headingLevel > 0) {
      flush();
      level = m[3] === "/" ? 0 : headingLevel;
    } else if (BLOCK_ELEMENTS.has(name)) {
      flush();
    }
  }
  if (last < html.length) addText(html.slice(last), last);
  flush();
  return out;
}
