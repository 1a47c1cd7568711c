/**
 * Reading a feed's bytes into documents: the body's charset, then RSS 2.0, RSS 1.0 (RDF)
 * or Atom 1.0 into `MonitorDocumentInput`s, an item that cannot be a document skipped and
 * logged. No network and no database: `FeedPoller` (feeds.ts) fetches and stores.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { TextkitError } from "../../core/index.ts";
import { decodeHtmlEntity, htmlToText } from "../../text/index.ts";
import type { FeedSourceConfig } from "./config.ts";
import { MAX_DOCUMENT_CHARS, type MonitorDocumentInput, parseDocumentInput } from "./document.ts";
import { describeError, type SourceLog } from "./source-errors.ts";

/** A feed's host, the name of a feed that gives none. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The body as text, in the charset the server names, else the one the XML declaration
 * names (Chinese feeds still come in GB18030 or Big5), else UTF-8.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | null): string {
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? "")?.[1];
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
  const fromDeclaration = /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  const utf16 =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? "utf-16le"
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? "utf-16be"
        : undefined;
  for (const label of [utf16, fromHeader, fromDeclaration]) {
    if (label === undefined) continue;
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // An encoding this Node does not know: try the next hint.
    }
  }
  return new TextDecoder("utf-8").decode(bytes);
}

type XmlNode = Record<string, unknown>;

/** Atom's text constructs are kept raw, so that XHTML content keeps its words in order. */
const ATOM_TEXT_NODES = ["feed.entry.title", "feed.entry.summary", "feed.entry.content"];

/**
 * A parser for feeds. Entities declared in a DOCTYPE are expanded within the parser's
 * default bounds (100,000 characters in all), so an entity bomb cannot blow up memory.
 */
function feedParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    // Ids such as <guid>0123</guid> stay strings.
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    stopNodes: ATOM_TEXT_NODES,
    isArray: (name) => name === "item" || name === "entry",
  });
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The text of an element however the parser shaped it (a string, {#text, @_attr}, nested elements). */
function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return textOf(value[0]);
  if (isNode(value)) {
    const parts: string[] = [];
    for (const [key, child] of Object.entries(value)) {
      if (key.startsWith("@_")) continue;
      const text = textOf(child);
      if (text !== undefined && text !== "") parts.push(text);
    }
    return parts.length === 0 ? undefined : parts.join(" ");
  }
  return undefined;
}

function attr(value: unknown, name: string): string | undefined {
  if (!isNode(value)) return undefined;
  const v = value[`@_${name}`];
  return typeof v === "string" ? v : undefined;
}

/** Text of an element that may hold HTML (RSS description, content:encoded, titles). */
function plainText(value: unknown): string | undefined {
  const text = textOf(value);
  if (text === undefined) return undefined;
  const clean = htmlToText(text);
  return clean === "" ? undefined : clean;
}

/** Text of an Atom text construct, kept raw by the parser (type text, html or xhtml). */
function atomText(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const raw = typeof first === "string" ? first : isNode(first) ? first["#text"] : undefined;
  if (typeof raw !== "string") return undefined;
  const type = attr(first, "type");
  const clean = htmlToText(type === "xhtml" ? raw : unescapeXml(raw));
  return clean === "" ? undefined : clean;
}

/** Raw XML character data to text: CDATA sections as they are, the XML entities outside them decoded. */
function unescapeXml(raw: string): string {
  let out = "";
  let rest = raw;
  for (;;) {
    const start = rest.indexOf("<![CDATA[");
    if (start < 0) return out + decodeXmlEntities(rest);
    const end = rest.indexOf("]]>", start + 9);
    out += decodeXmlEntities(rest.slice(0, start));
    if (end < 0) return out + rest.slice(start + 9);
    out += rest.slice(start + 9, end);
    rest = rest.slice(end + 3);
  }
}

function decodeXmlEntities(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|#\d+|#x[0-9a-f]+);|&amp;/gi, (whole, name: string | undefined) =>
    name === undefined ? "&" : (decodeHtmlEntity(name) ?? whole),
  );
}

function httpUrl(value: string | undefined, base: string): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  try {
    const url = new URL(value.trim(), base);
    // A javascript: or data: link must never reach the dashboard as a link.
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Cuts a text to `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string | undefined, max: number): string | undefined {
  if (text === undefined || text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return text.slice(0, end);
}

interface RawItem {
  id: string | undefined;
  title: string | undefined;
  text: string | undefined;
  url: string | undefined;
  date: string | undefined;
}

function rssItem(item: XmlNode, base: string, rdf: boolean): RawItem {
  const guid = item["guid"];
  const guidText = textOf(guid)?.trim();
  const link =
    httpUrl(textOf(item["link"]), base) ??
    (guidText !== undefined && attr(guid, "isPermaLink") !== "false" ? httpUrl(guidText, base) : undefined);
  const about = rdf ? attr(item, "rdf:about") : undefined;
  return {
    id: guidText || about || link,
    title: plainText(item["title"]) ?? plainText(item["dc:title"]),
    text: plainText(item["description"]) ?? plainText(item["content:encoded"]),
    url: link,
    date: textOf(item["pubDate"]) ?? textOf(item["dc:date"]),
  };
}

function atomItem(entry: XmlNode, base: string): RawItem {
  const links = toArray(entry["link"]);
  const alternates = links.filter((l) => {
    const rel = attr(l, "rel");
    return rel === undefined || rel === "alternate";
  });
  const preferred =
    alternates.find((l) => (attr(l, "type") ?? "text/html").includes("html")) ?? alternates[0];
  // A bare <link>https://...</link> is not Atom, but some feeds write it.
  const url = httpUrl(
    attr(preferred, "href") ?? (typeof preferred === "string" ? preferred : undefined),
    base,
  );
  return {
    id: textOf(entry["id"])?.trim() || url,
    title: atomText(entry["title"]),
    text: atomText(entry["summary"]) ?? atomText(entry["content"]),
    url,
    date: textOf(entry["published"]) ?? textOf(entry["updated"]),
  };
}

/** The feed's title and raw items of an RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 document; SOURCE_BAD_FEED otherwise. */
function readFeedXml(xml: string, url: string): { title: string | undefined; raw: RawItem[] } {
  const bad = (message: string): TextkitError =>
    new TextkitError("SOURCE_BAD_FEED", message, { details: { url } });
  // Whitespace before the XML declaration is common and harmless, but not well-formed.
  const text = xml.replace(/^[\s\uFEFF]+/, "");
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw bad(`${url} is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  }
  let doc: unknown;
  try {
    doc = feedParser().parse(text);
  } catch (error) {
    throw bad(`${url} could not be read as XML: ${describeError(error)}`);
  }
  if (!isNode(doc)) throw bad(`${url} is empty`);
  const rdfKey = Object.keys(doc).find((k) => k === "RDF" || k.endsWith(":RDF"));
  if (isNode(doc["rss"])) {
    const channel = doc["rss"]["channel"];
    if (!isNode(channel)) throw bad(`${url} is an RSS document without a <channel>`);
    const raw = toArray(channel["item"])
      .filter(isNode)
      .map((item) => rssItem(item, url, false));
    return { title: plainText(channel["title"]), raw };
  }
  if (isNode(doc["feed"])) {
    const root = doc["feed"];
    const raw = toArray(root["entry"])
      .filter(isNode)
      .map((entry) => atomItem(entry, url));
    return { title: plainText(root["title"]), raw };
  }
  if (rdfKey !== undefined && isNode(doc[rdfKey])) {
    const root = doc[rdfKey];
    const raw = toArray(root["item"])
      .filter(isNode)
      .map((item) => rssItem(item, url, true));
    return { title: isNode(root["channel"]) ? plainText(root["channel"]["title"]) : undefined, raw };
  }
  const roots = Object.keys(doc).filter((k) => !k.startsWith("?"));
  throw bad(
    `${url} is XML but not a feed: its root element is <${roots[0] ?? "none"}>, not <rss>, <rdf:RDF> or <feed>`,
  );
}

/** An item's date as ISO 8601, or undefined (logged) when it does not parse. */
function itemDate(item: RawItem, index: number, url: string, log: SourceLog): string | undefined {
  if (item.date === undefined || item.date.trim() === "") return undefined;
  const ms = Date.parse(item.date.trim());
  // Years beyond 9999 have no ISO 8601 form parseDocumentInput reads.
  if (Number.isFinite(ms) && Math.abs(ms) < 253402300800000) return new Date(ms).toISOString();
  log("warn", `feed ${url}: item ${index + 1} has a date that does not parse; kept without it`, {
    url,
    item: item.id ?? index + 1,
    date: item.date,
  });
  return undefined;
}

/** Item `index` as a document, or null (logged) when it cannot be one. */
function itemDocument(
  item: RawItem,
  index: number,
  feed: FeedSourceConfig,
  source: string,
  log: SourceLog,
): MonitorDocumentInput | null {
  const skip = (why: string): null => {
    log("warn", `feed ${feed.url}: item ${index + 1} ${why}`, { url: feed.url, item: item.id ?? index + 1 });
    return null;
  };
  if (item.text === undefined && item.title === undefined) return skip("has neither text nor title; skipped");
  const record = {
    id: cut(item.id, 2000),
    title: cut(item.title, 2000),
    text: cut(item.text, MAX_DOCUMENT_CHARS),
    url: item.url !== undefined && item.url.length <= 2000 ? item.url : undefined,
    source: cut(source, 2000),
    lang: feed.lang ?? undefined,
    publishedAt: itemDate(item, index, feed.url, log),
  };
  try {
    return parseDocumentInput(record, { field: `${feed.url} item ${index + 1}` });
  } catch (error) {
    return skip(`skipped: ${describeError(error)}`);
  }
}

/**
 * Reads an RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 document into documents. A document that is
 * not XML or not one of these throws SOURCE_BAD_FEED; an item that cannot be a document
 * is skipped (and logged), and an item's unreadable date is dropped (and logged).
 */
export function parseFeed(
  xml: string,
  feed: FeedSourceConfig,
  log: SourceLog,
): { title: string | null; items: MonitorDocumentInput[]; found: number; skipped: number } {
  const { title, raw } = readFeedXml(xml, feed.url);
  const source = feed.name ?? title ?? hostOf(feed.url);
  const items: MonitorDocumentInput[] = [];
  for (const [index, item] of raw.entries()) {
    const doc = itemDocument(item, index, feed, source, log);
    if (doc !== null) items.push(doc);
  }
  return { title: title ?? null, items, found: raw.length, skipped: raw.length - items.length };
}
