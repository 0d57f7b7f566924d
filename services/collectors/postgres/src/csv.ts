/** RFC 4180 records from a chunk of text; only complete records (ending in a newline) are taken. */
export function completeCsvRecords(text: string): { records: string[][]; consumedChars: number } {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let consumedChars = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n") {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = "";
      consumedChars = i + 1;
    } else if (c !== "\r") field += c;
  }
  return { records, consumedChars };
}
