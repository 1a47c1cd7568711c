/**
 * A small knowledge folder for the assistant's tests: three English intents (one with a
 * slot filled by a pattern, one handed to a person), out-of-scope examples, two FAQs and a
 * help document. It trains in well under a second.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const BALANCE = [
  "what is my balance",
  "how much money do i have",
  "tell me my account balance",
  "how much is in my checking account",
  "what's left in my account",
  "show my balance please",
  "balance of my savings",
  "how much cash is in my account",
  "check my balance",
  "what is the balance on my account",
  "how much do i have in checking",
  "could you tell me my balance",
  "current balance please",
  "what's my available balance",
  "how much money is there in my savings account",
];
const TRANSFER = [
  "send money to my savings",
  "transfer money from checking to savings",
  "move 200 dollars to savings",
  "i want to transfer money",
  "make a transfer to my savings account",
  "transfer 50 to savings",
  "please move money between my accounts",
  "send 100 to my savings account",
  "can you transfer funds for me",
  "move money into savings",
  "transfer cash to my other account",
  "i'd like to send money to savings",
  "wire 300 to my savings",
  "put 75 in my savings",
  "shift money from checking into savings",
];
const LOST = [
  "i lost my card",
  "my card was stolen",
  "i can't find my debit card",
  "someone took my credit card",
  "report a lost card",
  "my wallet with my card is gone",
  "i think my card got stolen",
  "lost card what do i do",
  "my bank card is missing",
  "card stolen please help",
  "i misplaced my card",
  "my card has been lost",
  "i need to report my stolen card",
  "where is my card i lost it",
  "my credit card is lost",
];
const OUT_OF_SCOPE = [
  "what is the capital of peru",
  "tell me a joke",
  "how tall is mount everest",
  "what's the best pizza topping",
  "who won the football game last night",
  "play some music",
  "how do i bake bread",
  "what time is it in tokyo",
  "recommend a good movie",
  "how many legs does a spider have",
  "what's the weather on mars",
  "translate hello into klingon",
];

/** Writes the folder at `dir` and returns it. */
export function writeAssistKnowledge(dir: string): string {
  mkdirSync(join(dir, "docs"), { recursive: true });
  const list = (xs: string[]) => xs.map((x) => `      - ${JSON.stringify(x)}`).join("\n");
  writeFileSync(
    join(dir, "assistant.yaml"),
    'name: helpdesk\nlanguages: [en]\nhandover: "Let me pass you to a colleague."\nfallback: "From our help pages:"\n',
  );
  writeFileSync(
    join(dir, "intents.yaml"),
    `intents:
  - id: balance
    examples:
${list(BALANCE)}
    answer: You have $1,204.50 in checking.
  - id: transfer
    examples:
${list(TRANSFER)}
    answer: Done, {amount} dollars are on their way to your savings.
    slots:
      amount:
        pattern: "(\\\\d+)"
        prompt: How much would you like to transfer?
  - id: lost_card
    examples:
${list(LOST)}
    answer: I have frozen your card for now.
    handover: true
out_of_scope:
${OUT_OF_SCOPE.map((x) => `  - ${JSON.stringify(x)}`).join("\n")}
`,
  );
  writeFileSync(
    join(dir, "faq.yaml"),
    `faqs:
  - id: opening-hours
    question: When are your branches open?
    alternatives: [branch opening hours, what time do branches open]
    answer: Our branches are open 9 to 5, Monday to Friday.
  - id: card-abroad
    question: Can I use my card abroad?
    alternatives: [does my card work in other countries]
    answer: Yes, your card works abroad; tell us before you travel.
`,
  );
  writeFileSync(
    join(dir, "docs", "mortgages.md"),
    `# Mortgages

## Fixed or adjustable rate

A fixed-rate mortgage keeps the same interest rate for the whole term, so the monthly
payment never changes. An adjustable-rate mortgage starts lower and then follows a market
index once a year.

## Early repayment

You can repay up to ten percent of the mortgage each year without a fee.
`,
  );
  return dir;
}
