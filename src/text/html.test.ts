import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeHtmlEntities, decodeHtmlEntity, htmlBlocks, htmlToText } from "./html.ts";
import { CHINESE_STOPWORDS, ENGLISH_STOPWORDS, isStopword } from "./stopwords.ts";

describe("htmlToText", () => {
  test("strips tags, drops script and style contents, decodes entities, collapses whitespace", () => {
    assert.equal(
      htmlToText(
        "<p>Fish &amp; <b>chips</b></p>\n<script>evil()</script><style>p{}</style><br/>&#8220;ok&#x201D; &hellip;",
      ),
      "Fish & chips “ok” …",
    );
    assert.equal(htmlToText("1 &lt; 2 and <!-- hidden --> a <3 b"), "1 < 2 and a <3 b");
    assert.equal(htmlToText("<script>never closed"), "");
    assert.equal(htmlToText("&unknown; &#0; stays"), "&unknown; \uFFFD stays");
  });

  test("decodes entities only once the tags are gone, so escaped markup stays text", () => {
    assert.equal(htmlToText("<p>&lt;b&gt;bold&lt;/b&gt;</p>"), "<b>bold</b>");
    assert.equal(decodeHtmlEntities("A&amp;B &NBSP;x &#x1F600;"), "A&B  x 😀");
    assert.equal(decodeHtmlEntity("#55296"), "\uFFFD");
    assert.equal(decodeHtmlEntity("nosuch"), undefined);
  });
});

describe("htmlBlocks", () => {
  test("keeps headings apart from paragraphs, with their levels and source offsets", () => {
    const html =
      "<html><head><title>Help</title><style>h1{}</style></head><body>" +
      "<nav><a href='/'>Home</a></nav>" +
      "<h1>Cards</h1><h2 id='lost'>Lost <em>card</em></h2>" +
      "<p>Call us &amp; we block it.</p><ul><li>Open the app</li><li>Tap <b>Block</b></li></ul>" +
      "<script>track()</script></body></html>";
    const blocks = htmlBlocks(html);
    assert.deepEqual(
      blocks.map((b) => [b.kind, b.level, b.text]),
      [
        ["heading", 1, "Help"],
        ["heading", 1, "Cards"],
        ["heading", 2, "Lost card"],
        ["text", 0, "Call us & we block it."],
        ["text", 0, "Open the app"],
        ["text", 0, "Tap Block"],
      ],
    );
    for (const b of blocks) {
      // The source range holds the block's text, tags and entities aside.
      assert.equal(htmlToText(html.slice(b.start, b.end)), b.text, JSON.stringify(b));
    }
  });

  test("text outside any element, CDATA and an unclosed script", () => {
    const blocks = htmlBlocks("Plain start<p>Two <![CDATA[a < b]]> here</p><script>x(");
    assert.deepEqual(
      blocks.map((b) => b.text),
      ["Plain start", "Two a < b here"],
    );
    assert.deepEqual(htmlBlocks("<p> </p><br>"), []);
  });
});

describe("stopwords", () => {
  test("English and Chinese function words, and only those", () => {
    assert.ok(ENGLISH_STOPWORDS.has("the") && ENGLISH_STOPWORDS.has("don't"));
    assert.ok(CHINESE_STOPWORDS.has("的") && CHINESE_STOPWORDS.has("我们"));
    assert.ok(isStopword("which") && isStopword("吗"));
    assert.ok(!isStopword("card") && !isStopword("信用卡"));
  });
});
