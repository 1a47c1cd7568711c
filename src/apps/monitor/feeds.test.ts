import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type FeedServer, startFeedServer } from "../../../test/support/feed-server.ts";
import { storeTargets } from "../../../test/support/postgres.ts";
import { TextkitError } from "../../core/index.ts";
import { type Database, openDatabase } from "../../store/index.ts";
import type { FeedSourceConfig } from "./config.ts";
import { type DocumentSink, documentKey, type IngestOutcome, type MonitorDocumentInput } from "./document.ts";
import { FeedPoller, type FeedPollerOptions } from "./feeds.ts";
import { describeError, type SourceLog } from "./source-errors.ts";

/** A sink that keeps documents by key, like the pipeline, and can be told to be busy or to fail. */
class RecordingSink implements DocumentSink {
  readonly stored = new Map<string, MonitorDocumentInput>();
  calls = 0;
  busyCalls = 0;
  /** Calls answered MONITOR_BUSY before the sink takes documents again. */
  busyFor = 0;
  /** When set, the call with this number (1-based) throws a store error. */
  failOnCall: number | null = null;

  async submit(documents: readonly MonitorDocumentInput[]): Promise<IngestOutcome> {
    this.calls++;
    if (this.busyFor > 0) {
      this.busyFor--;
      this.busyCalls++;
      throw new TextkitError("MONITOR_BUSY", "the monitor is behind", { details: { retryAfterMs: 20 } });
    }
    if (this.failOnCall === this.calls) throw new TextkitError("STORE_UNAVAILABLE", "the database is gone");
    const results = documents.map((doc) => {
      const key = documentKey(doc);
      const status = this.stored.has(key) ? ("duplicate" as const) : ("stored" as const);
      this.stored.set(key, doc);
      return { key, status, topic: null, sentiment: null };
    });
    const stored = results.filter((r) => r.status === "stored").length;
    return { stored, duplicates: results.length - stored, results };
  }

  docs(): MonitorDocumentInput[] {
    return [...this.stored.values()];
  }
}

interface LogLine {
  level: string;
  message: string;
}

function recordingLog(): { log: SourceLog; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { log: (level, message) => lines.push({ level, message }), lines };
}

function rss(items: string[], title = "Example News"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>${title}</title><link>https://news.example.com/</link>
<atom:link href="https://news.example.com/feed.xml" rel="self" type="application/rss+xml"/>
${items.join("\n")}
</channel></rss>`;
}

function rssItem(n: number, extra = ""): string {
  return `<item><title>Story ${n}</title><link>https://news.example.com/s/${n}</link><guid>story-${n}</guid>
<description>Body of story ${n}.</description>${extra}</item>`;
}

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Atom Blog</title>
  <id>urn:uuid:feed</id>
  <updated>2026-11-30T12:00:00Z</updated>
  <entry>
    <title type="html">Acme &lt;em&gt;launches&lt;/em&gt; a rocket</title>
    <link rel="edit" href="https://blog.example.org/edit/1"/>
    <link rel="alternate" type="text/html" href="/posts/1"/>
    <id>tag:blog.example.org,2026:1</id>
    <published>2026-11-30T09:30:00+01:00</published>
    <updated>2026-11-30T11:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <b>world</b>, again &amp; again.</p><script>alert(1)</script></div></content>
  </entry>
  <entry>
    <title>Second</title>
    <link href="https://blog.example.org/posts/2"/>
    <id>tag:blog.example.org,2026:2</id>
    <updated>2026-11-29T08:00:00Z</updated>
    <summary type="html"><![CDATA[<p>Fish &amp; chips</p>]]></summary>
  </entry>
</feed>`;

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.net/"><title>RDF Daily</title><link>https://rdf.example.net/</link>
    <items><rdf:Seq><rdf:li rdf:resource="https://rdf.example.net/a"/></rdf:Seq></items></channel>
  <item rdf:about="https://rdf.example.net/a">
    <title>Markets rally</title>
    <link>https://rdf.example.net/a</link>
    <description>Stocks &lt;b&gt;rose&lt;/b&gt; 3&#37; today&#8230;</description>
    <dc:date>2026-11-28T07:15:00Z</dc:date>
  </item>
</rdf:RDF>`;

function feed(url: string, extra: Partial<FeedSourceConfig> = {}): FeedSourceConfig {
  return { url, name: null, intervalMinutes: 5, lang: null, ...extra };
}

for (const target of storeTargets()) {
  describe(`FeedPoller (${target.dialect})`, { skip: target.skip }, () => {
    let location: string;
    // Paths differ per dialect, so that one run's requests are not counted in the other's.
    const at = (path: string): string => `/${target.dialect}${path}`;
    let server: FeedServer;
    let db: Database;
    const others: Database[] = [];
    const pollers: FeedPoller[] = [];

    before(async () => {
      server = await startFeedServer();
      await target.setup();
    });
    after(async () => {
      await server.close();
      await target.teardown();
    });
    beforeEach(async () => {
      location = await target.freshLocation();
      db = await openDatabase(location);
    });
    afterEach(async () => {
      for (const p of pollers.splice(0)) await p.stop();
      for (const d of others.splice(0)) await d.close();
      await db.close();
    });

    function poller(options: Partial<FeedPollerOptions> & { sink: DocumentSink; feeds: FeedSourceConfig[] }) {
      const p = new FeedPoller({ db, ...options });
      pollers.push(p);
      return p;
    }

    test("RSS 2.0 items become documents: title, text without HTML, url, id, date, source and lang", async () => {
      const path = at("/rss-basic.xml");
      server.set(path, {
        body: rss([
          `<item><title>Acme &amp; Co. beat estimates</title><link>https://news.example.com/acme</link>
         <guid isPermaLink="false">acme-q3</guid><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>
         <description>&lt;p&gt;Shares &lt;b&gt;rose&lt;/b&gt; 5%&lt;/p&gt;&lt;script&gt;track()&lt;/script&gt;</description></item>`,
          `<item><title>Only a title</title><link>https://news.example.com/t</link><pubDate>not a date</pubDate></item>`,
          `<item><link>https://news.example.com/empty</link><description>   </description></item>`,
          `<item><title>Rich</title><guid>https://news.example.com/rich</guid>
         <content:encoded><![CDATA[<div>Full <i>text</i> &amp; more</div>]]></content:encoded></item>`,
        ]),
      });
      const sink = new RecordingSink();
      const { log, lines } = recordingLog();
      const url = server.url(path);
      const p = poller({ sink, feeds: [feed(url, { name: "Example Wire", lang: "en" })], log });
      const result = await p.pollOnce(url);
      assert.equal(result.status, "ok");
      assert.equal(result.itemsFound, 4);
      assert.equal(result.stored, 3);
      assert.equal(result.skipped, 1);
      assert.equal(result.error, null);
      const [acme, titleOnly, rich] = sink.docs();
      assert.deepEqual(acme, {
        id: "acme-q3",
        title: "Acme & Co. beat estimates",
        text: "Shares rose 5%",
        url: "https://news.example.com/acme",
        source: "Example Wire",
        lang: "en",
        publishedAt: Date.parse("2026-12-01T10:00:00Z"),
      });
      assert.equal(titleOnly!.text, "Only a title");
      assert.equal(titleOnly!.id, "https://news.example.com/t");
      assert.equal(titleOnly!.publishedAt, undefined);
      assert.equal(rich!.text, "Full text & more");
      assert.equal(rich!.id, "https://news.example.com/rich");
      assert.equal(rich!.url, "https://news.example.com/rich");
      assert.ok(lines.some((l) => l.level === "warn" && /date that does not parse/.test(l.message)));
      assert.ok(lines.some((l) => l.level === "warn" && /neither text nor title/.test(l.message)));
      assert.equal(server.requests.at(-1)!.headers["user-agent"], "textkit-monitor/0.1");
    });

    test("Atom 1.0 entries: alternate link, XHTML content in order, HTML title, dates, the feed's title as source", async () => {
      const path = at("/atom.xml");
      server.set(path, { body: ATOM, contentType: "application/atom+xml" });
      const sink = new RecordingSink();
      const url = server.url(path);
      const result = await poller({ sink, feeds: [feed(url)] }).pollOnce(url);
      assert.equal(result.status, "ok");
      const [first, second] = sink.docs();
      assert.deepEqual(first, {
        id: "tag:blog.example.org,2026:1",
        title: "Acme launches a rocket",
        text: "Hello world, again & again.",
        url: server.url("/posts/1"),
        source: "Atom Blog",
        publishedAt: Date.parse("2026-11-30T08:30:00Z"),
      });
      assert.equal(second!.text, "Fish & chips");
      assert.equal(second!.url, "https://blog.example.org/posts/2");
      assert.equal(second!.publishedAt, Date.parse("2026-11-29T08:00:00Z"));
    });

    test("RSS 1.0 (RDF) items, and the host as source when the feed has no title", async () => {
      server.set(at("/rdf.xml"), { body: RDF });
      server.set(at("/untitled.xml"), { body: rss([rssItem(1)], "") });
      const sink = new RecordingSink();
      const rdfUrl = server.url(at("/rdf.xml"));
      const untitledUrl = server.url(at("/untitled.xml"));
      const p = poller({ sink, feeds: [feed(rdfUrl), feed(untitledUrl)] });
      assert.equal((await p.pollOnce(rdfUrl)).status, "ok");
      assert.equal((await p.pollOnce(untitledUrl)).status, "ok");
      const [markets, story] = sink.docs();
      assert.deepEqual(markets, {
        id: "https://rdf.example.net/a",
        title: "Markets rally",
        text: "Stocks rose 3% today…",
        url: "https://rdf.example.net/a",
        source: "RDF Daily",
        publishedAt: Date.parse("2026-11-28T07:15:00Z"),
      });
      assert.equal(story!.source, new URL(untitledUrl).host);
      const status = await p.status();
      assert.deepEqual(
        status.map((s) => [s.name, s.itemsTotal, s.lastStatus]),
        [
          ["RDF Daily", 1, "ok"],
          [new URL(untitledUrl).host, 1, "ok"],
        ],
      );
    });

    test("an unchanged feed answers 304 to If-None-Match and nothing is submitted; new items of a changed feed are", async () => {
      const path = at("/conditional.xml");
      server.set(path, {
        body: rss([rssItem(1), rssItem(2)]),
        etag: '"v1"',
        lastModified: "Tue, 01 Dec 2026 10:00:00 GMT",
      });
      const sink = new RecordingSink();
      const url = server.url(path);
      const p = poller({ sink, feeds: [feed(url)] });
      assert.equal((await p.pollOnce(url)).stored, 2);
      assert.equal(sink.calls, 1);

      const second = await p.pollOnce(url);
      assert.equal(second.status, "not_modified");
      assert.equal(second.notModified, true);
      assert.equal(sink.calls, 1);
      const sent = server.requests.filter((r) => r.path === path);
      assert.equal(sent[1]!.headers["if-none-match"], '"v1"');
      assert.equal(sent[1]!.headers["if-modified-since"], "Tue, 01 Dec 2026 10:00:00 GMT");
      assert.equal(sent[1]!.status, 304);
      assert.equal((await p.status())[0]!.lastStatus, "not_modified");

      server.set(path, { body: rss([rssItem(3), rssItem(1), rssItem(2)]), etag: '"v2"' });
      const third = await p.pollOnce(url);
      assert.equal(third.status, "ok");
      assert.equal(third.stored, 1);
      assert.equal(third.duplicates, 2);
      assert.deepEqual(
        sink.docs().map((d) => d.id),
        ["story-1", "story-2", "story-3"],
      );
      assert.equal((await p.status())[0]!.itemsTotal, 3);
    });

    test("a 500 and broken XML are recorded with their codes and back off exponentially; success resets", async () => {
      const path = at("/flaky.xml");
      let clock = Date.parse("2026-12-01T00:00:00Z");
      const interval = 5 * 60_000;
      const sink = new RecordingSink();
      const { log, lines } = recordingLog();
      const url = server.url(path);
      const p = poller({ sink, feeds: [feed(url)], log, now: () => clock });

      server.set(path, { status: 500, body: "oops", contentType: "text/plain" });
      const failed = await p.pollOnce(url);
      assert.equal(failed.status, "failed");
      assert.equal(failed.error?.code, "SOURCE_UNAVAILABLE");
      let [state] = await p.status();
      assert.equal(state!.lastStatus, "failed");
      assert.equal(state!.lastErrorCode, "SOURCE_UNAVAILABLE");
      assert.match(state!.lastError!, /HTTP 500/);
      assert.equal(state!.failures, 1);
      assert.equal(state!.nextPollAt, new Date(clock + 2 * interval).toISOString());
      assert.ok(lines.some((l) => l.level === "warn" && /HTTP 500/.test(l.message)));

      clock += 60_000;
      server.set(path, { body: "<rss><channel><item><title>cut off" });
      const broken = await p.pollOnce(url);
      assert.equal(broken.error?.code, "SOURCE_BAD_FEED");
      [state] = await p.status();
      assert.equal(state!.lastErrorCode, "SOURCE_BAD_FEED");
      assert.match(state!.lastError!, /not well-formed XML/);
      assert.equal(state!.failures, 2);
      assert.equal(state!.nextPollAt, new Date(clock + 4 * interval).toISOString());

      for (let i = 0; i < 6; i++) await p.pollOnce(url);
      [state] = await p.status();
      assert.equal(state!.failures, 8);
      assert.equal(state!.nextPollAt, new Date(clock + 60 * 60_000).toISOString(), "at most an hour");

      server.set(path, { body: "<html><body><p>Not a feed</p></body></html>", contentType: "text/html" });
      const html = await p.pollOnce(url);
      assert.equal(html.error?.code, "SOURCE_BAD_FEED");
      assert.match(html.error!.message, /not a feed/);

      server.set(path, { body: rss([rssItem(1)]) });
      assert.equal((await p.pollOnce(url)).status, "ok");
      [state] = await p.status();
      assert.equal(state!.failures, 0);
      assert.equal(state!.lastError, null);
      assert.equal(state!.nextPollAt, new Date(clock + interval).toISOString());
    });

    test("network errors, timeouts and oversized bodies fail the poll, not the process", async () => {
      const sink = new RecordingSink();
      const refused = "http://127.0.0.1:1/feed.xml";
      server.set(at("/slow.xml"), { body: rss([rssItem(1)]), delayMs: 2000 });
      server.set(at("/huge.xml"), { body: rss(Array.from({ length: 200 }, (_, i) => rssItem(i))) });
      const slow = server.url(at("/slow.xml"));
      const huge = server.url(at("/huge.xml"));
      const p = poller({
        sink,
        feeds: [feed(refused), feed(slow), feed(huge)],
        timeoutMs: 200,
        maxBytes: 4096,
      });
      const a = await p.pollOnce(refused);
      assert.equal(a.error?.code, "SOURCE_UNAVAILABLE");
      assert.match(a.error!.message, /could not fetch/);
      const b = await p.pollOnce(slow);
      assert.equal(b.error?.code, "SOURCE_UNAVAILABLE");
      assert.match(b.error!.message, /did not answer within/);
      const c = await p.pollOnce(huge);
      assert.equal(c.error?.code, "SOURCE_BAD_FEED");
      assert.match(c.error!.message, /more than 4096 bytes/);
      assert.equal(sink.calls, 0);
      await assert.rejects(p.pollOnce("https://elsewhere.example/feed"), { code: "OPTION_INVALID" });
    });

    test("the timer loop keeps polling through failures, backing off, and recovers", async () => {
      const path = at("/recovers.xml");
      let requests = 0;
      server.set(path, { status: 503, body: "down", contentType: "text/plain" });
      const sink = new RecordingSink();
      const url = server.url(path);
      // 0.002 minutes = 120 ms: failures wait 240 ms, then 480 ms.
      const p = poller({ sink, feeds: [feed(url, { intervalMinutes: 0.002 })] });
      await p.start();
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        requests = server.requests.filter((r) => r.path === path).length;
        if (requests === 2) server.set(path, { body: rss([rssItem(1), rssItem(2)]) });
        if (sink.stored.size === 2) break;
        await sleep(20);
      }
      assert.equal(sink.stored.size, 2);
      const [state] = await p.status();
      assert.equal(state!.lastStatus, "ok");
      assert.equal(state!.failures, 0);
      assert.equal(state!.itemsTotal, 2);
      const statuses = server.requests.filter((r) => r.path === path).map((r) => r.status);
      assert.deepEqual(statuses.slice(0, 3), [503, 503, 200]);
      await p.stop();
    });

    test("MONITOR_BUSY is waited out and retried, in chunks, without losing an item", async () => {
      const path = at("/busy.xml");
      const items = Array.from({ length: 450 }, (_, i) => rssItem(i));
      server.set(path, { body: rss(items), etag: '"big"' });
      const sink = new RecordingSink();
      sink.busyFor = 3;
      const url = server.url(path);
      const p = poller({ sink, feeds: [feed(url)] });
      const result = await p.pollOnce(url);
      assert.equal(result.status, "ok");
      assert.equal(result.stored, 450);
      assert.equal(sink.stored.size, 450);
      assert.equal(sink.busyCalls, 3);
      assert.equal(sink.calls, 3 + 3, "three busy answers, then chunks of 200, 200 and 50");
    });

    test("the ETag is kept only once every item was submitted, so a failed poll reads the feed again", async () => {
      const path = at("/half.xml");
      server.set(path, { body: rss(Array.from({ length: 300 }, (_, i) => rssItem(i))), etag: '"e1"' });
      const sink = new RecordingSink();
      sink.failOnCall = 2;
      const url = server.url(path);
      const p = poller({ sink, feeds: [feed(url)] });
      const failed = await p.pollOnce(url);
      assert.equal(failed.status, "failed");
      assert.equal(failed.error?.code, "STORE_UNAVAILABLE");
      assert.equal(sink.stored.size, 200);

      const retried = await p.pollOnce(url);
      assert.equal(retried.status, "ok");
      assert.equal(retried.stored, 100);
      assert.equal(retried.duplicates, 200);
      const sent = server.requests.filter((r) => r.path === path);
      assert.equal(sent[1]!.headers["if-none-match"], undefined);
      assert.equal((await p.pollOnce(url)).status, "not_modified");
    });

    test("two pollers sharing one database never poll a feed at the same time", async () => {
      const path = at("/shared.xml");
      server.set(path, { body: rss([rssItem(1)]), delayMs: 150 });
      const url = server.url(path);
      const dbB = await openDatabase(location);
      others.push(dbB);
      const sinkA = new RecordingSink();
      const sinkB = new RecordingSink();
      const a = poller({ sink: sinkA, feeds: [feed(url, { intervalMinutes: 0.004 })], owner: "a" });
      const b = new FeedPoller({
        db: dbB,
        sink: sinkB,
        feeds: [feed(url, { intervalMinutes: 0.004 })],
        owner: "b",
      });
      pollers.push(b);

      const both = await Promise.all([a.pollOnce(url), b.pollOnce(url)]);
      assert.deepEqual(both.map((r) => r.status).sort(), ["leased", "ok"]);
      assert.equal(server.requests.filter((r) => r.path === path).length, 1);

      // On their timers (240 ms interval) for a while: turns, never overlapping, never twice per turn.
      const before = server.requests.filter((r) => r.path === path).length;
      const startedAt = Date.now();
      await Promise.all([a.start(), b.start()]);
      await sleep(1500);
      await Promise.all([a.stop(), b.stop()]);
      const polls = server.requests.filter((r) => r.path === path).length - before;
      const elapsed = Date.now() - startedAt;
      assert.equal(server.maxConcurrent(path), 1);
      assert.ok(polls >= 2, `polled ${polls} times`);
      // Each turn takes the interval plus the 150 ms answer; one poller alone would do no more.
      assert.ok(polls <= Math.ceil(elapsed / 240) + 1, `polled ${polls} times in ${elapsed} ms`);
    });

    test("stop() ends a poll in progress promptly and leaves the feed due", async () => {
      const path = at("/hanging.xml");
      server.set(path, { body: rss([rssItem(1)]), delayMs: 5000 });
      const url = server.url(path);
      const sink = new RecordingSink();
      const p = poller({ sink, feeds: [feed(url)], timeoutMs: 10_000 });
      await p.start();
      // The server records a request only when it answers; by now this one is in flight.
      await sleep(200);
      const t0 = Date.now();
      await p.stop();
      assert.ok(Date.now() - t0 < 1000, "stop did not wait for the slow feed");
      const [state] = await p.status();
      assert.equal(state!.lastStatus, null);
      assert.equal(state!.failures, 0);
      assert.equal(sink.calls, 0);
    });
  });
}

describe("describeError", () => {
  test("is never empty: an AggregateError names its errors, an error without a message its code or name", () => {
    // What Node throws when every address of a host name refuses the connection.
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: "ECONNREFUSED" });
    const aggregate = Object.assign(new AggregateError([refused("::1:6379"), refused("127.0.0.1:6379")]), {
      code: "ECONNREFUSED",
    });
    assert.equal(aggregate.message, "");
    assert.equal(
      describeError(aggregate),
      "connect ECONNREFUSED ::1:6379; connect ECONNREFUSED 127.0.0.1:6379",
    );
    assert.equal(describeError(Object.assign(new Error(""), { code: "ECONNRESET" })), "ECONNRESET");
    assert.equal(describeError(new TypeError("")), "TypeError");
    assert.equal(
      describeError(new Error("fetch failed", { cause: refused("::1:80") })),
      "fetch failed (ECONNREFUSED)",
    );
    assert.equal(describeError(""), "unknown error");
  });
});
