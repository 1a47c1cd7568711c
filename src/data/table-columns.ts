/**
 * What CSV and TSV share once a line or record is split into fields: finding the text and
 * label columns in the header, and turning a row into an example.
 */
import { TextkitError } from "../core/index.ts";
import { cleanLabels, type Example, TEXT_COLUMN_JOINER, textColumnNames } from "./example.ts";

export interface TableOptions {
  delimiter: string;
  header: boolean;
  textColumn: string | undefined;
  labelColumn: string | undefined;
  labelSeparator: string;
  requireLabels: boolean;
  skipEmptyText: boolean;
  onSkippedText?: (line: number) => void;
  maxRecordBytes: number;
  encoding?: string;
}

export interface Columns {
  width: number;
  /** Line of the header, or of the first row when there is none. */
  firstLine: number;
  text: number;
  /** Every text column, `text` first, when textColumn names several to join. */
  texts: number[];
  textName: string;
  /** -1 when the file has no label column and labels are optional. */
  label: number;
  labelName: string;
}

function quoteNames(names: string[]): string {
  return names.map((name) => JSON.stringify(name)).join(", ");
}

/**
 * Finds the columns in the first record: by name in a header (only "text" for the text and
 * "label", else "labels", are tried unless named), or by 1-based number without one.
 */
export function resolveColumns(first: string[], line: number, file: string, options: TableOptions): Columns {
  const width = first.length;
  // The flags of the command line; a library caller sets textColumn and labelColumn.
  const missing = (option: "--text-column" | "--label-column", name: string) =>
    new TextkitError(
      "DATA_MISSING_COLUMN",
      options.header
        ? `the header on line ${line} has no column named "${name}" (its columns: ${quoteNames(first.map((c) => c.trim()))}); choose one with ${option}`
        : `the file has no header row, so its columns are numbered 1 to ${width} and ${option} ${name} names none of them; pass a column number such as ${option} ${width}`,
      { file, line, column: name, hint: `Pass ${option} with a column of the file.` },
    );
  const find = (name: string): number => {
    if (options.header) {
      return first.findIndex((cell) => cell.trim() === name);
    }
    if (!/^[1-9][0-9]*$/.test(name)) return -1;
    const index = Number(name) - 1;
    return index < width ? index : -1;
  };

  const textName = options.textColumn ?? "text";
  // A column whose own name has a comma wins over the list of columns that name would be.
  const whole = find(textName);
  const texts: number[] = [];
  for (const name of whole === -1 ? textColumnNames(textName) : [textName]) {
    const index = find(name);
    if (index === -1) throw missing("--text-column", name);
    texts.push(index);
  }
  const text = texts[0]!;

  let labelName = options.labelColumn;
  if (labelName === undefined && options.header) {
    labelName = find("label") === -1 && find("labels") !== -1 ? "labels" : "label";
  }
  const label = labelName === undefined ? -1 : find(labelName);
  if (label === -1 && options.requireLabels) {
    if (labelName === undefined) {
      throw new TextkitError(
        "DATA_MISSING_COLUMN",
        `the file has no header row, so name its label column by number with --label-column (1 to ${width})`,
        { file, line, hint: "Pass --label-column with a column number, or add a header row." },
      );
    }
    throw missing("--label-column", labelName);
  }
  if (texts.includes(label)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `--text-column and --label-column both name column "${textName}"; the text and the label must be different columns`,
      { file, line },
    );
  }
  return { width, firstLine: line, text, texts, textName, label, labelName: labelName ?? "" };
}

function joinedText(record: string[], texts: number[]): string {
  const parts: string[] = [];
  for (const index of texts) {
    // rowToExample checked the row's width, and every column index is below it
    const part = (record[index] ?? "").trim();
    if (part.length > 0) parts.push(part);
  }
  return parts.join(TEXT_COLUMN_JOINER);
}

/** The example in one row, or null when its text is empty and `skipEmptyText` is set. */
export function rowToExample(
  record: string[],
  line: number,
  columns: Columns,
  file: string,
  options: TableOptions,
  advice: string,
): Example | null {
  if (record.length !== columns.width) {
    const reference = options.header ? "the header has" : `line ${columns.firstLine} has`;
    throw new TextkitError(
      "DATA_BAD_ROW",
      `line ${line} has ${record.length} fields but ${reference} ${columns.width}${advice}`,
      { file, line },
    );
  }
  // the row has columns.width fields (checked above), and every column index is below it
  const text =
    columns.texts.length === 1 ? (record[columns.text] ?? "").trim() : joinedText(record, columns.texts);
  if (text.length === 0) {
    if (options.skipEmptyText) {
      options.onSkippedText?.(line);
      return null;
    }
    throw new TextkitError(
      "DATA_EMPTY_TEXT",
      `line ${line}: the text column "${columns.textName}" is empty`,
      {
        file,
        line,
        column: columns.textName,
      },
    );
  }
  let labels: string[] = [];
  if (columns.label !== -1) {
    const cell = record[columns.label] ?? "";
    if (cell.includes(options.labelSeparator)) {
      labels = cleanLabels(cell.split(options.labelSeparator));
    } else {
      const label = cell.trim();
      if (label.length > 0) labels = [label];
    }
  }
  if (labels.length === 0 && options.requireLabels) {
    throw new TextkitError(
      "DATA_NO_LABEL",
      `line ${line}: the label column "${columns.labelName}" is empty`,
      {
        file,
        line,
        column: columns.labelName,
      },
    );
  }
  return { text, labels, line };
}

/**
 * Records to examples, for a reader: the first record settles the columns (and is skipped
 * when it is the header); each later one becomes an example, or nothing when it is skipped.
 */
export class RecordExamples {
  private columns: Columns | null = null;

  constructor(
    private readonly path: string,
    private readonly options: TableOptions,
    /** Added to a message about a row with the wrong number of fields. */
    private readonly advice: string,
  ) {}

  /** Adds the example of `record`, which starts at `line`, to `batch` when it has one. */
  add(record: string[], line: number, batch: Example[]): void {
    if (this.columns === null) {
      this.columns = resolveColumns(record, line, this.path, this.options);
      if (this.options.header) return;
    }
    const example = rowToExample(record, line, this.columns, this.path, this.options, this.advice);
    if (example !== null) batch.push(example);
  }
}
