// The recipients file of a bulk send, read as a table: UTF-8 (a byte-order mark is dropped), RFC 4180
// quoting (a cell may hold commas, quotes and line breaks), the first record the header. Each data
// row keeps its number and the line it starts on, for the report. What makes the whole file
// unreadable is a 4xx here; what is wrong with one row is left to the row's own check.
import { parse } from "csv-parse/sync";
import { ApiError } from "../../http/errors";

export interface CsvRow {
  /** 1 for the first row after the header */
  row: number;
  /** the file's line the row starts on (the header is line 1 when it starts the file) */
  line: number;
  cells: string[];
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

const unreadable = (code: string, message: string) => new ApiError(422, code, message);

export function readCsv(bytes: Buffer, maxRows: number): CsvTable {
  let text: string;
  try {
    // A spreadsheet saved as CSV in GBK would otherwise become mojibake on every contract.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw unreadable("csv_not_utf8", "the file is not UTF-8 text: save it as \"CSV UTF-8\"");
  }
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (e) {
    const err = e as { code?: string; message?: string; lines?: number };
    throw unreadable("csv_unreadable", `the file is not CSV${err.lines ? ` (line ${err.lines})` : ""}: ${err.message ?? String(e)}`);
  }
  if (records.length === 0) throw unreadable("csv_empty", "the file has no header row");
  if (records.length - 1 > maxRows) throw new ApiError(413, "too_many_rows", `the file has ${records.length - 1} rows; at most ${maxRows} are sent at once`);
  if (records.length === 1) throw unreadable("csv_no_rows", "the file has a header and no rows");
  // info.lines is the line a record ends on; a record starts after the previous one's end and the
  // empty lines skipped since.
  const rows: CsvRow[] = [];
  let prevEnd = records[0].info.lines;
  let prevEmpty = records[0].info.empty_lines;
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i];
    rows.push({ row: i, line: prevEnd + (info.empty_lines - prevEmpty) + 1, cells: record });
    prevEnd = info.lines;
    prevEmpty = info.empty_lines;
  }
  return { header: records[0].record.map((h) => h.trim()), rows };
}
