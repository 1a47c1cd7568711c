import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findPersonalData, maskDeep, maskPersonalData, PII_KINDS } from "./pii.ts";

// Independent of pii.ts's checks, so that a shared mistake cannot make the tests pass.
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return "10X98765432"[sum % 11]!;
}

function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10;
}

function withLuhnDigit(prefix: string): string {
  for (let d = 0; d <= 9; d++) if (luhnSum(`${prefix}${d}`) === 0) return `${prefix}${d}`;
  throw new Error("unreachable");
}

function assertMasks(text: string, expected: string): void {
  assert.equal(maskPersonalData(text), expected, text);
}

function assertKept(text: string): void {
  assert.equal(maskPersonalData(text), text, text);
}

describe("checksum helpers of this test", () => {
  it("agree with published examples", () => {
    assert.equal(idCheckChar("11010519491231002"), "X", "GB 11643 sample ID 11010519491231002X");
    assert.equal(luhnSum("4111111111111111"), 0);
    assert.equal(luhnSum("5500000000000004"), 0);
    assert.equal(luhnSum("378282246310005"), 0);
    assert.notEqual(luhnSum("6222021234567890"), 0, "not a valid card number as written");
  });
});

describe("maskPersonalData", () => {
  it("masks e-mail addresses in English and Chinese text", () => {
    assertMasks("Contact zhang.san@example.com for access.", "Contact [email] for access.");
    assertMasks("user+tag@mail.example.co.uk, admin@Example.ORG", "[email], [email]");
    assertMasks("邮箱是zhang.san@example.com。", "邮箱是[email]。");
    assertMasks("请发到13812345678@163.com谢谢", "请发到[email]谢谢");
    assertMasks("<li_wei@corp.cn>", "<[email]>");
  });

  it("leaves @-mentions, bare hosts and a trailing full stop alone", () => {
    assertKept("ping @zhangsan about it");
    assertKept("root@localhost");
    assertKept("user@host.1");
    assertMasks("Write to a@b.com.", "Write to [email].");
  });

  it("masks Chinese mobile numbers in every usual spelling", () => {
    for (const phone of [
      "13812345678",
      "138 1234 5678",
      "138-1234-5678",
      "+8613812345678",
      "+86 138 1234 5678",
      "+86-138-1234-5678",
      "0086 13912345678",
      "8619912345678",
    ]) {
      assertMasks(`call ${phone} now`, "call [phone] now");
      assertMasks(`我的手机号是${phone}，谢谢`, "我的手机号是[phone]，谢谢");
    }
  });

  it("masks international and Chinese landline numbers", () => {
    assertMasks("London office: +44 20 7946 0958.", "London office: [phone].");
    assertMasks("SF: +1 (415) 555-2671; Berlin: +49 30 123456", "SF: [phone]; Berlin: [phone]");
    assertMasks("E.164 +442079460958", "E.164 [phone]");
    assertMasks("北京办公室电话010-65528888，深圳0755-86013388", "北京办公室电话[phone]，深圳[phone]");
  });

  it("masks resident ID numbers whose check character is right", () => {
    const ids = [
      "11010519491231002X",
      "11010519491231002x",
      `44030419900307123${idCheckChar("44030419900307123")}`,
      `31010120000229123${idCheckChar("31010120000229123")}`, // 29 February of a leap year
      `51010719850615871${idCheckChar("51010719850615871")}`,
    ];
    for (const id of ids) {
      assertMasks(`ID: ${id}.`, "ID: [id].");
      assertMasks(`身份证号${id}，已核验`, "身份证号[id]，已核验");
    }
    assertMasks("老身份证110105491231002", "老身份证[id]");
  });

  it("keeps 18-digit numbers that are not IDs", () => {
    const wrongCheck = "110105194912310021";
    assert.notEqual(idCheckChar(wrongCheck.slice(0, 17)), "1");
    assert.notEqual(luhnSum(wrongCheck), 0, "so that it is not a card either");
    assertKept(`ID ${wrongCheck}`);
    const badDate = `11010519491332002${idCheckChar("11010519491332002")}`; // month 13
    assert.notEqual(luhnSum(badDate), 0);
    assertKept(`身份证${badDate}`);
    const random = "123456789012345678";
    assert.notEqual(luhnSum(random), 0);
    assertKept(`trace ${random}`);
  });

  it("masks bank card numbers that pass the Luhn check", () => {
    const unionPay16 = withLuhnDigit("622202123456789");
    const unionPay19 = withLuhnDigit("621226100200000000");
    for (const card of [
      "4111 1111 1111 1111",
      "4111111111111111",
      "5500-0000-0000-0004",
      "3782 822463 10005",
      unionPay16,
      `${unionPay19.slice(0, 4)} ${unionPay19.slice(4, 8)} ${unionPay19.slice(8, 12)} ${unionPay19.slice(12, 16)} ${unionPay19.slice(16)}`,
      withLuhnDigit("401288888888"), // 13 digits
    ]) {
      assertMasks(`paid with ${card} today`, "paid with [card] today");
      assertMasks(`银行卡号：${card}。`, "银行卡号：[card]。");
    }
  });

  it("finds a grouped card even with digits after it", () => {
    assertMasks("card 4111 1111 1111 1111 12 items", "card [card] 12 items");
    assertMasks("1234 4111 1111 1111 1111", "1234 [card]");
  });

  it("keeps ordinary numbers", () => {
    const luhnInvalid = "6222021234567890";
    assert.notEqual(luhnSum(luhnInvalid), 0);
    const timestamp = withLuhnDigit("173251234567"); // Luhn-valid, but 13-digit cards are Visa (4...)
    for (const text of [
      `card ${luhnInvalid}`,
      `卡号${luhnInvalid}`,
      `ts=${timestamp}`,
      "0000 0000 0000 0000",
      "in the year 2026",
      "价格¥1299，库存 42 件",
      "price $13.99, 1,299 sold",
      "order #123456 shipped",
      "订单号123456已发货",
      "on 2026-11-25 at 13:45:07",
      "2026-11-25T13:45:07+08:00",
      "version 10.2.3",
      "host 192.168.1.1",
      "loss=0.13812345678",
      "13812345678.5",
      "x=1+13",
      "+1.5%",
      "phone 1381234567",
      "phone 138123456789",
      "a13812345678",
      "13812345678abc",
      "SKU-ABC13812345678",
    ]) {
      assertKept(text);
    }
  });

  it("masks several items of different kinds in one string", () => {
    const text =
      "用户zhang.san@example.com（手机138-1234-5678，身份证11010519491231002X）" +
      "用卡4111 1111 1111 1111于2026-11-25支付¥1299，订单#123456；备用电话+1 (415) 555-2671";
    assert.equal(
      maskPersonalData(text),
      "用户[email]（手机[phone]，身份证[id]）用卡[card]于2026-11-25支付¥1299，订单#123456；备用电话[phone]",
    );
  });

  it("returns text without personal data unchanged", () => {
    assert.equal(maskPersonalData(""), "");
    assertKept("nothing to see here");
    assertKept("没有个人信息。");
  });

  it("finishes on long adversarial inputs", () => {
    const inputs = [
      "1".repeat(100_000),
      "a@".repeat(50_000),
      `${"a".repeat(100_000)}@`,
      "a.".repeat(50_000),
      "1 ".repeat(50_000),
      "1-".repeat(50_000),
      "+1 ".repeat(40_000),
      "1111 ".repeat(20_000),
      "13812345678 ".repeat(10_000),
    ];
    for (const input of inputs) assert.equal(typeof maskPersonalData(input), "string");
    assert.equal(maskPersonalData("1".repeat(100_000)), "1".repeat(100_000));
  });
});

describe("findPersonalData", () => {
  it("reports kinds and offsets in text order", () => {
    const text = "a@b.com 13812345678 11010519491231002X 4111111111111111";
    assert.deepEqual(findPersonalData(text), [
      { kind: "email", start: 0, end: 7 },
      { kind: "phone", start: 8, end: 19 },
      { kind: "id", start: 20, end: 38 },
      { kind: "card", start: 39, end: 55 },
    ]);
  });

  it("finds a phone number of 8 digits, the fewest any kind has, and nothing in a route", () => {
    assert.deepEqual(findPersonalData("call +1 234 5678 now"), [{ kind: "phone", start: 5, end: 16 }]);
    assert.deepEqual(findPersonalData("/v1/models/:name/predict"), []);
    assert.deepEqual(findPersonalData("/v1/models/m2/predict?id=1234567"), []);
  });

  it("lists every kind once, e-mail first", () => {
    assert.deepEqual([...PII_KINDS].sort(), ["card", "email", "id", "phone"]);
    assert.equal(PII_KINDS[0], "email");
  });
});

describe("maskDeep", () => {
  it("masks strings in nested objects and arrays and keeps other values", () => {
    const input = {
      user: { email: "a@b.com", age: 30, vip: true, note: null, tags: ["tel 13812345678", 7] },
      rows: [[{ card: "4111 1111 1111 1111" }]],
    };
    assert.deepEqual(maskDeep(input), {
      user: { email: "[email]", age: 30, vip: true, note: null, tags: ["tel [phone]", 7] },
      rows: [[{ card: "[card]" }]],
    });
    assert.equal(input.user.email, "a@b.com", "the input is not changed");
    assert.equal(maskDeep("手机13812345678"), "手机[phone]");
    assert.equal(maskDeep(42), 42);
    assert.equal(maskDeep(null), null);
  });

  it("replaces cycles by [circular] but copies an object shared by two branches", () => {
    const node: { name: string; self?: unknown; list: unknown[] } = { name: "a@b.com", list: [] };
    node.self = node;
    node.list.push(node, "x");
    assert.deepEqual(maskDeep(node), { name: "[email]", list: ["[circular]", "x"], self: "[circular]" });
    const shared = { phone: "13812345678" };
    assert.deepEqual(maskDeep({ a: shared, b: shared }), {
      a: { phone: "[phone]" },
      b: { phone: "[phone]" },
    });
  });

  it("replaces containers nested more than 10 levels deep by [deep]", () => {
    let value: unknown = { leaf: "a@b.com" };
    for (let i = 0; i < 14; i++) value = { next: value, mail: "x@y.com" };
    let masked = maskDeep(value);
    for (let depth = 0; depth <= 10; depth++) {
      assert.ok(typeof masked === "object" && masked !== null, `level ${depth} is kept`);
      assert.equal(Reflect.get(masked, "mail"), "[email]");
      masked = Reflect.get(masked, "next");
    }
    assert.equal(masked, "[deep]");
    let nested: unknown = ["a@b.com", ["x"]];
    for (let depth = 0; depth < 10; depth++) nested = [nested];
    let inner = maskDeep(nested);
    for (let depth = 0; depth < 10; depth++) {
      assert.ok(Array.isArray(inner));
      inner = inner[0];
    }
    assert.deepEqual(inner, ["[email]", "[deep]"]);
  });

  it("uses toJSON, keeps an Error's message and a __proto__ key as data", () => {
    const date = new Date("2026-11-25T00:00:00.000Z");
    const error = new Error("no user a@b.com");
    const masked = maskDeep({ at: date, error, parsed: JSON.parse('{"__proto__": "13812345678"}') });
    assert.ok(typeof masked === "object" && masked !== null);
    assert.equal(Reflect.get(masked, "at"), "2026-11-25T00:00:00.000Z");
    const maskedError = Reflect.get(masked, "error");
    assert.equal(Reflect.get(maskedError, "message"), "no user [email]");
    assert.equal(Reflect.get(maskedError, "name"), "Error");
    const parsed = Reflect.get(masked, "parsed");
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value, "[phone]");
  });
});
