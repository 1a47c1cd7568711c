import { type Command, Option } from "commander";
import { TAG_SCHEMES, writeFileAtomic } from "../core/index.ts";
import { loadTaggedDataset, writeConll, writeSpansJsonl } from "../data/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkFileOutput } from "./output-paths.ts";
import { parseChoice } from "./parse-options.ts";
import {
  addTaggedDataOptions,
  describeTaggedDataset,
  type TaggedDataFlags,
  taggedReadOptionsOf,
} from "./tag-options.ts";

const TARGETS = [...TAG_SCHEMES, "jsonl"] as const;
type Target = (typeof TARGETS)[number];

interface TagConvertFlags extends TaggedDataFlags {
  input: string;
  out: string;
  to: Target;
}

async function runConvert(flags: TagConvertFlags, io: CliIo): Promise<void> {
  checkFileOutput(flags.out, "--out");
  const data = await loadTaggedDataset(flags.input, taggedReadOptionsOf(flags));
  const text = flags.to === "jsonl" ? writeSpansJsonl(data.sentences) : writeConll(data.sentences, flags.to);
  await writeFileAtomic(flags.out, text);
  const target = flags.to === "jsonl" ? "JSONL spans" : `CoNLL ${flags.to.toUpperCase()}`;
  await writeAll(io.stdout, `${describeTaggedDataset("read", data)}\nwrote ${flags.out} (${target})\n`);
}

/**
 * `textkit tag convert`.
 *
 * @example
 * registerTagConvert(program.command("tag"), io);
 */
export function registerTagConvert(tag: Command, io: CliIo): Command {
  const command = tag
    .command("convert")
    .summary("rewrite tagged data in another tag scheme or format")
    .description(
      "Read tagged data (CoNLL in IOB1, BIO or BIOES, or JSONL spans), check it, and write it as " +
        "CoNLL (token and tag per line) in the scheme given by --to, or as JSONL spans. The output " +
        "file is replaced only once it is complete.",
    )
    .requiredOption("--input <file>", "tagged data to read")
    .requiredOption("--out <file>", "file to write")
    .addOption(
      new Option("--to <target>", `iob1, bio, bioes (CoNLL) or jsonl (spans)`)
        .argParser(parseChoice("--to", TARGETS))
        .makeOptionMandatory(),
    );
  addTaggedDataOptions(command);
  return command.action(async (flags: TagConvertFlags) => {
    await runConvert(flags, io);
  });
}
